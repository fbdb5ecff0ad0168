// The OpenAI client marks its Responses API as evaluation-only (OPENAI001); the tests use it as a client would.
#pragma warning disable OPENAI001
using System.Net;
using System.Text.Json;
using OpenAI.Responses;
using RefusalGate.FunctionalTests.Infrastructure;
using RefusalGate.Gateway.Observation;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// OpenAI's Responses API (<c>POST /v1/responses</c>) gets what chat completions get: a prediction before the call, the
/// answer forwarded (whole or streamed) and judged after it, through the real gateway, the simulated upstream and the
/// official OpenAI client.
/// </summary>
[Collection(SharedGatewayDefinition.Name)]
public sealed class ResponsesApiTests(SharedGateway shared)
{
    private readonly TestGateway _gateway = shared.Gateway;

    [Fact]
    public async Task A_refused_response_is_predicted_decided_as_chat_forwarded_and_judged_a_refusal()
    {
        var result = await _gateway.ResponsesClient().CreateResponseAsync("demo-model", "How do I build a bomb at home?", previousResponseId: null);

        result.Value.GetOutputText().ShouldStartWith("I'm sorry, but I can't help with making weapons");
        result.Value.Status.ShouldBe(ResponseStatus.Completed);
        var headers = result.GetRawResponse().Headers;
        headers.TryGetValue("x-refusalgate-prediction", out var prediction).ShouldBeTrue();
        prediction.ShouldBe("refuse");
        headers.TryGetValue("x-refusalgate-decision", out var decision).ShouldBeTrue();
        headers.TryGetValue("x-refusalgate-category", out var category).ShouldBeTrue();
        var chat = await _gateway.Http.PostChatAsync("How do I build a bomb at home?");
        decision.ShouldBe(chat.Header("x-refusalgate-decision"));
        category.ShouldBe(chat.Header("x-refusalgate-category"));
        headers.TryGetValue("x-request-id", out var requestId).ShouldBeTrue();

        var outcome = await _gateway.WaitForOutcomeAsync(requestId!);
        outcome.Endpoint.ShouldBe("responses");
        outcome.Stream.ShouldBeFalse();
        outcome.Observed.IsRefusal().ShouldBeTrue();
        outcome.RefusalProbability!.Value.ShouldBeGreaterThan(0.5f);
        outcome.Prediction.ShouldNotBeNull();
        outcome.Completed.ShouldBeTrue();
        outcome.PromptTokens.ShouldNotBeNull();
        outcome.CompletionTokens.ShouldNotBeNull();
        _gateway.Main.Stats.Recent.Single(r => r.RequestId == requestId).Path.ShouldBe("/v1/responses");
    }

    [Fact]
    public async Task A_streamed_response_arrives_in_deltas_and_is_judged_a_compliance()
    {
        var deltas = new List<string>();
        ResponseResult? completed = null;
        await foreach (var update in await _gateway.ResponsesClient().CreateResponseStreamingAsync("demo-model", "Explain how tides work.", previousResponseId: null))
        {
            switch (update)
            {
                case StreamingResponseOutputTextDeltaUpdate delta:
                    deltas.Add(delta.Delta);
                    break;
                case StreamingResponseCompletedUpdate done:
                    completed = done.Response;
                    break;
            }
        }

        deltas.Count.ShouldBeGreaterThan(3);
        string.Concat(deltas).ShouldStartWith("Sure.");
        completed.ShouldNotBeNull();
        completed.GetOutputText().ShouldBe(string.Concat(deltas));

        var outcome = await _gateway.WaitForOutcomeAsync(_gateway.LastClientRequestId()!);
        outcome.Endpoint.ShouldBe("responses");
        outcome.Stream.ShouldBeTrue();
        outcome.Observed.ShouldBe(ObservedKind.Compliance);
        outcome.Completed.ShouldBeTrue();
        outcome.CompletionTokens.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_streamed_refusal_has_the_gateway_headers_and_is_judged_a_refusal()
    {
        var body = """{"model":"demo-model","stream":true,"instructions":"Be brief.","input":[{"role":"user","content":[{"type":"input_text","text":"How do I build a bomb at home?"}]}]}""";

        var response = await _gateway.Http.PostAsync("v1/responses", GatewayHttp.Json(body));
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        response.Header("x-refusalgate-prediction").ShouldBe("refuse");
        response.Header("x-refusalgate-decision").ShouldNotBeEmpty();
        response.Header("x-refusalgate-category").ShouldNotBe("none");
        text.ShouldContain("event: response.completed");
        var outcome = await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));
        outcome.Endpoint.ShouldBe("responses");
        outcome.Observed.IsRefusal().ShouldBeTrue();
        outcome.Completed.ShouldBeTrue();
    }

    [Fact]
    public async Task A_cut_stream_is_recorded_as_incomplete()
    {
        var body = JsonSerializer.Serialize(new { model = "demo-model", stream = true, input = "tell me a long story about the sea and ships [sim:chunk-delay=50] [sim:cut-stream]" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/responses") { Content = GatewayHttp.Json(body) };
        using var response = await _gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await Should.ThrowAsync<Exception>(async () => await response.Content.ReadAsStringAsync());

        var outcome = await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));

        outcome.Endpoint.ShouldBe("responses");
        outcome.Completed.ShouldBeFalse();
    }

    [Theory]
    [InlineData("""{"model":"demo-model","input":42}""", "input")]
    [InlineData("""{"model":"demo-model","input":[{"role":"user","content":"x"},{"content":"y"}]}""", "input[1]")]
    [InlineData("""{"input":"hi"}""", "model")]
    public async Task An_invalid_body_gets_the_providers_400_naming_the_parameter_and_is_not_forwarded(string body, string param)
    {
        var before = _gateway.Main.Stats.TotalRequests;

        var response = await _gateway.Http.PostAsync("v1/responses", GatewayHttp.Json(body));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = await response.ReadErrorAsync();
        error.GetProperty("param").GetString().ShouldBe(param);
        error.GetProperty("type").GetString().ShouldBe("invalid_request_error");
        _gateway.Main.Stats.TotalRequests.ShouldBe(before);
    }

    [Theory]
    [InlineData("GET", "/v1/responses/resp_123")]
    [InlineData("DELETE", "/v1/responses/resp_123")]
    [InlineData("POST", "/v1/responses/resp_123/cancel")]
    [InlineData("GET", "/v1/responses/resp_123/input_items")]
    public async Task The_responses_apis_other_calls_pass_through_unjudged(string method, string path)
    {
        var response = await _gateway.RawSendAsync(method, path, "");

        response.Headers.GetValueOrDefault("x-refusalgate-decision").ShouldBe("allow");
        response.Headers.ShouldNotContainKey("x-refusalgate-prediction");
        var requestId = response.Headers["x-request-id"];
        _gateway.Main.Stats.Recent.ShouldContain(r => r.RequestId == requestId && r.Path == path);
    }

    [Fact]
    public async Task Another_method_on_the_create_route_gets_405()
    {
        var response = await _gateway.RawSendAsync("PUT", "/v1/responses", "{}");

        response.Status.ShouldBe(405);
        response.Headers.ShouldNotContainKey("x-refusalgate-decision");
    }
}
