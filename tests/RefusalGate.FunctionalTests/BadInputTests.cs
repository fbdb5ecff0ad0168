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

    [Theory]
    [InlineData("POST", "healthz")]
    [InlineData("DELETE", "readyz")]
    [InlineData("PUT", "metrics")]
    [InlineData("POST", "healthz/")]
    [InlineData("DELETE", "READYZ/")]
    public async Task A_wrong_method_on_a_read_only_endpoint_gets_405_with_allow_get(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        var response = await _gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.ShouldBe(["GET", "HEAD"]);
        (await response.ReadErrorAsync()).GetProperty("code").GetString().ShouldBe("method_not_allowed");
    }

    /// <summary>
    /// HEAD is GET without the body (RFC 9110, 9.3.2: a server that supports GET supports HEAD); uptime checkers and
    /// load balancers probe with it, and a 405 there reads as "down".
    /// </summary>
    [Theory]
    [InlineData("healthz")]
    [InlineData("readyz")]
    [InlineData("metrics")]
    [InlineData("healthz/")]
    public async Task A_head_request_on_a_read_only_endpoint_gets_the_get_answer_without_its_body(string path)
    {
        using var get = await _gateway.Http.GetAsync(path);
        using var request = new HttpRequestMessage(HttpMethod.Head, path);

        using var head = await _gateway.Http.SendAsync(request);

        head.StatusCode.ShouldBe(get.StatusCode);
        head.StatusCode.ShouldBe(HttpStatusCode.OK);
        head.Content.Headers.ContentType.ShouldBe(get.Content.Headers.ContentType);
        head.Header("x-request-id").ShouldNotBeEmpty();
        (await head.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("GET", "v1/chat/completions")]
    [InlineData("PUT", "v1/chat/completions")]
    [InlineData("DELETE", "v1/chat/completions/")]
    [InlineData("PATCH", "v1/completions")]
    [InlineData("GET", "v1/Chat/Completions")]
    public async Task A_wrong_method_on_a_completion_route_gets_405_with_allow_and_is_not_forwarded(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = GatewayHttp.Json(GatewayHttp.ChatBody("hello")) };

        var response = await _gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.ShouldBe(["POST"]);
        var error = await response.ReadErrorAsync();
        error.GetProperty("code").GetString().ShouldBe("method_not_allowed");
        error.GetProperty("message").GetString()!.ShouldContain($"{method} /{path}");

        // Only forwarded responses carry the gateway's decision (YARP's response transform adds it).
        response.Header("x-refusalgate-decision").ShouldBeEmpty();
    }

    [Fact]
    public async Task A_head_request_on_a_completion_route_gets_405_with_allow_and_no_body()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, "v1/chat/completions");

        var response = await _gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.ShouldBe(["POST"]);
        response.Header("x-request-id").ShouldNotBeEmpty();
        response.Header("x-refusalgate-decision").ShouldBeEmpty();
        (await response.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_cors_preflight_on_a_completion_route_is_left_to_the_upstream()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "v1/chat/completions");
        request.Headers.Add("Origin", "https://app.example");
        request.Headers.Add("Access-Control-Request-Method", "POST");

        var response = await _gateway.Http.SendAsync(request);

        // Forwarded: the provider answers preflights for browser clients; the demo upstream has no CORS and says 405.
        response.Header("x-refusalgate-decision").ShouldBe("allow");
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
