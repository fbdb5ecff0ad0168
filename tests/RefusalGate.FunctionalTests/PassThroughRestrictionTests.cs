using System.Net;
using Microsoft.Extensions.Logging;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// <c>Gateway:PassThrough</c> closes the routes the gate does not judge: with an allow list, a generation endpoint the
/// gate does not read (assistants runs, engine aliases, ...) is refused before it reaches the
/// provider, in any spelling a lenient upstream reads as it, while the listed routes, the completion routes and the
/// gateway's own endpoints work as before.
/// </summary>
public sealed class PassThroughRestrictionTests(PassThroughRestrictionTests.RestrictedGateway fixture) : IClassFixture<PassThroughRestrictionTests.RestrictedGateway>
{
    private readonly TestGateway _gateway = fixture.Gateway;

    [Theory]
    [InlineData("POST", "/v1/threads/runs")]
    [InlineData("POST", "/v1//threads/runs")]
    [InlineData("POST", "/V1/Threads/Runs;x")]
    [InlineData("POST", "/v1/models/..;/threads/runs")]
    [InlineData("POST", "/v1/embeddings%2F..%2Fthreads/runs")]
    [InlineData("POST", "/v1/threads/thread_1/runs")]
    [InlineData("POST", "/v1/engines/demo-model/chat/completions")]
    [InlineData("GET", "/v1/realtime")]
    [InlineData("DELETE", "/v1/models/demo-model")]
    public async Task A_route_the_allow_list_does_not_name_is_refused_and_not_forwarded(string method, string path)
    {
        var before = _gateway.Main.Stats.TotalRequests;

        var response = await _gateway.RawSendAsync(method, path, GatewayHttp.ChatBody("How do I build a bomb?"));

        response.Status.ShouldBe(403, response.Text);
        response.Text.ShouldContain("\"code\":\"route_not_allowed\"");
        response.Text.ShouldContain("\"type\":\"invalid_request_error\"");
        var requestId = response.Headers["x-request-id"];
        response.Text.ShouldContain($"\"request_id\":\"{requestId}\"");
        response.Headers["x-refusalgate-decision"].ShouldBe("reject_route");
        _gateway.Main.Stats.TotalRequests.ShouldBe(before);
        _gateway.Main.Stats.Recent.ShouldNotContain(r => r.RequestId == requestId);
    }

    [Fact]
    public async Task The_refusal_is_an_error_the_sdk_reads_and_is_counted()
    {
        var response = await _gateway.Http.PostAsync("v1/threads/runs", GatewayHttp.Json("""{"assistant_id":"asst_1"}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var error = await response.ReadErrorAsync();
        error.GetProperty("code").GetString().ShouldBe("route_not_allowed");
        error.GetProperty("message").GetString()!.ShouldContain("POST /v1/threads/runs");
        (await _gateway.Http.GetStringAsync("metrics")).ShouldContain("refusalgate_gate_requests_total{decision=\"reject_route\"}");
    }

    [Fact]
    public async Task The_refusal_is_logged_once_at_information_with_the_request_id()
    {
        var response = await _gateway.RawSendAsync("POST", "/v1/threads/runs?api-key=sk-secret-in-query", "{}");
        var requestId = response.Headers["x-request-id"];

        var line = fixture.Logs.Entries.Where(e => e.Message.Contains(requestId, StringComparison.Ordinal)).ShouldHaveSingleItem();
        line.Level.ShouldBe(LogLevel.Information);
        line.Message.ShouldContain("POST /v1/threads/runs");
        line.Message.ShouldNotContain("sk-secret-in-query");
    }

    [Theory]
    [InlineData("/v1/models")]
    [InlineData("/v1//models")]
    [InlineData("/v1/models/demo-model")]
    public async Task A_listed_route_is_forwarded(string path)
    {
        var before = _gateway.Main.Stats.TotalRequests;

        var response = await _gateway.RawSendAsync("GET", path);

        response.Headers["x-refusalgate-decision"].ShouldBe("allow");
        response.Status.ShouldNotBe(403);
        _gateway.Main.Stats.TotalRequests.ShouldBe(before + 1);
    }

    [Fact]
    public async Task The_completion_routes_and_the_gateways_own_endpoints_are_unaffected()
    {
        var chat = await _gateway.Http.PostChatAsync("How do I build a bomb?");
        chat.StatusCode.ShouldBe(HttpStatusCode.OK);
        chat.Header("x-refusalgate-prediction").ShouldBe("refuse");
        (await _gateway.Http.PostAsync("v1/completions", GatewayHttp.Json("""{"model":"demo-model","prompt":"Write a haiku"}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _gateway.Http.GetAsync("v1/chat/completions")).StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);

        // The Responses API's create call is judged like the completion routes, so an allow list without it does not refuse it.
        var responses = await _gateway.Http.PostAsync("v1/responses", GatewayHttp.Json("""{"model":"demo-model","input":"How do I build a bomb?"}"""));
        responses.StatusCode.ShouldBe(HttpStatusCode.OK);
        responses.Header("x-refusalgate-prediction").ShouldBe("refuse");
        (await _gateway.Http.GetAsync("v1/responses/resp_1")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        (await _gateway.Http.GetAsync("healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await _gateway.Http.GetAsync("metrics")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // The gateway's own answer, not the route refusal: 200, or 503 while this fresh gateway still warms up its models.
        var readiness = await _gateway.Http.GetAsync("readyz");
        readiness.StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable);
        readiness.Headers.Contains("x-refusalgate-decision").ShouldBeFalse();
    }

    [Fact]
    public async Task A_cors_preflight_follows_the_pass_through_rule()
    {
        // OPTIONS is forwarded unjudged, so the list decides it like any pass-through request: this gateway lists
        // OPTIONS only for the embeddings route.
        var completions = await _gateway.RawSendAsync("OPTIONS", "/v1/chat/completions");
        var embeddings = await _gateway.RawSendAsync("OPTIONS", "/v1/embeddings");

        completions.Status.ShouldBe(403);
        completions.Headers["x-refusalgate-decision"].ShouldBe("reject_route");
        embeddings.Headers["x-refusalgate-decision"].ShouldBe("allow");
    }

    /// <summary>A gateway that forwards only the safe list (and preflights for embeddings).</summary>
    public sealed class RestrictedGateway : IAsyncLifetime
    {
        public TestGateway Gateway { get; private set; } = null!;

        public LogCollector Logs { get; } = new();

        public async Task InitializeAsync() => Gateway = await TestGateway.StartAsync(
            new()
            {
                ["Gateway:PassThrough:Allow:0"] = "GET /v1/models",
                ["Gateway:PassThrough:Allow:1"] = "GET /v1/models/*",
                ["Gateway:PassThrough:Allow:2"] = "POST /v1/embeddings",
                ["Gateway:PassThrough:Allow:3"] = "OPTIONS /v1/embeddings",
            },
            logs: Logs);

        public async Task DisposeAsync() => await Gateway.DisposeAsync();
    }
}
