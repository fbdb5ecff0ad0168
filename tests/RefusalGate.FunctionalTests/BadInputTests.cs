using System.Net;
using System.Text;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

/// <summary>Every malformed or unacceptable request gets an OpenAI-style error with a request id, and never reaches the upstream.</summary>
[Collection(SharedGatewayDefinition.Name)]
public sealed class BadInputTests(SharedGateway shared)
{
    private readonly TestGateway _gateway = shared.Gateway;

    [Theory]
    [InlineData("{not json", "invalid_json")]
    [InlineData("[1, 2, 3]", "invalid_json")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""", "missing_required_parameter")]
    [InlineData("""{"model":"demo-model"}""", "missing_required_parameter")]
    [InlineData("""{"model":"demo-model","messages":[]}""", "invalid_value")]
    [InlineData("""{"model":"demo-model","messages":[{"role":"wizard","content":"hi"}]}""", "invalid_value")]
    [InlineData("""{"model":42,"messages":[{"role":"user","content":"hi"}]}""", "invalid_value")]
    [InlineData("""{"model":"demo-model","stream":"yes","messages":[{"role":"user","content":"hi"}]}""", "invalid_value")]
    [InlineData("""{"model":"demo-model","model":"demo-model","messages":[{"role":"user","content":"hi"}]}""", "invalid_json")]
    public async Task Malformed_chat_requests_get_400(string body, string code)
    {
        var before = _gateway.Main.Stats.PromptRequests;
        var response = await _gateway.Http.PostAsync("v1/chat/completions", GatewayHttp.Json(body));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ReadErrorAsync()).GetProperty("code").GetString().ShouldBe(code);
        _gateway.Main.Stats.PromptRequests.ShouldBe(before);
    }

    [Fact]
    public async Task Completions_without_prompt_get_400()
    {
        var response = await _gateway.Http.PostAsync("v1/completions", GatewayHttp.Json("""{"model":"demo-model"}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.ReadErrorAsync()).GetProperty("param").GetString().ShouldBe("prompt");
    }

    [Fact]
    public async Task Body_over_the_limit_gets_413_with_content_length()
    {
        var before = _gateway.Main.Stats.PromptRequests;
        var response = await _gateway.Http.PostChatAsync(new string('a', 70_000));

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.ReadErrorAsync()).GetProperty("code").GetString().ShouldBe("request_too_large");
        _gateway.Main.Stats.PromptRequests.ShouldBe(before);
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_gets_413()
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(GatewayHttp.ChatBody(new string('a', 70_000)))));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await _gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        await response.ReadErrorAsync();
    }

    [Fact]
    public async Task Non_json_content_type_gets_415()
    {
        var response = await _gateway.Http.PostAsync("v1/chat/completions", new StringContent("model=demo", Encoding.UTF8, "application/x-www-form-urlencoded"));

        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        await response.ReadErrorAsync();
    }

    [Fact]
    public async Task Unknown_route_gets_404()
    {
        var response = await _gateway.Http.GetAsync("v2/everything");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.ReadErrorAsync()).GetProperty("code").GetString().ShouldBe("unknown_url");
    }

    [Fact]
    public async Task Denied_model_gets_403_and_a_reject_decision()
    {
        var before = _gateway.Main.Stats.PromptRequests;
        var response = await _gateway.Http.PostChatAsync("hi", model: "forbidden-model");

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.ReadErrorAsync()).GetProperty("code").GetString().ShouldBe("model_not_allowed");
        response.Header("x-refusalgate-decision").ShouldBe("reject");
        _gateway.Main.Stats.PromptRequests.ShouldBe(before);
    }
}
