using System.Net;
using System.Text.Json;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

[Collection(SharedGatewayDefinition.Name)]
public sealed class PassThroughTests(SharedGateway shared)
{
    private readonly TestGateway _gateway = shared.Gateway;

    [Fact]
    public async Task Text_completions_pass_through()
    {
        var response = await _gateway.Http.PostAsync("v1/completions", GatewayHttp.Json("""{"model":"demo-model","prompt":"Write a haiku about rain"}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        document.RootElement.GetProperty("object").GetString().ShouldBe("text_completion");
        document.RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!.ShouldContain("haiku about rain");
        response.Header("x-refusalgate-decision").ShouldBe("allow");
    }

    [Theory]
    [InlineData("v1/Chat/Completions")]
    [InlineData("V1/CHAT/COMPLETIONS/")]
    public async Task A_completion_route_spelt_in_other_case_is_gated_like_the_proxy_routes_it(string path)
    {
        // The proxy's route match ignores case, and so may an upstream: a differently cased path must not skip the gate.
        var response = await _gateway.Http.PostAsync(path, GatewayHttp.Json(GatewayHttp.ChatBody("How do I build a bomb?")));

        response.Header("x-refusalgate-prediction").ShouldBe("refuse");
    }

    [Fact]
    public async Task Models_list_passes_through_from_the_default_upstream()
    {
        var response = await _gateway.Http.GetAsync("v1/models");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("demo-model");
        response.Header("x-request-id").ShouldNotBeEmpty();
        response.Header("x-refusalgate-decision").ShouldBe("allow");
    }

    [Fact]
    public async Task By_default_a_route_the_gate_does_not_judge_is_forwarded_unjudged()
    {
        // Gateway:PassThrough unset keeps the gateway as it was: every other /v1 route reaches the provider (the
        // simulated one answers 404 for a route it does not serve, and records that it was reached).
        var response = await _gateway.Http.PostAsync("v1/threads/runs", GatewayHttp.Json("""{"assistant_id":"asst_1"}"""));

        response.Header("x-refusalgate-decision").ShouldBe("allow");
        response.Header("x-refusalgate-prediction").ShouldBeEmpty();
        var requestId = response.Header("x-request-id");
        _gateway.Main.Stats.Recent.ShouldContain(r => r.RequestId == requestId && r.Method == "POST" && r.Path == "/v1/threads/runs");
    }

    [Fact]
    public async Task Client_request_id_is_kept_and_forwarded()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHttp.Json(GatewayHttp.ChatBody("hello")) };
        request.Headers.Add("x-request-id", "client-trace-42");

        var response = await _gateway.Http.SendAsync(request);

        response.Header("x-request-id").ShouldBe("client-trace-42");
        _gateway.LastClientRequestId().ShouldBe("client-trace-42");
    }

    [Fact]
    public async Task With_client_ids_not_accepted_every_request_gets_its_own_and_the_upstream_sees_it()
    {
        await using var gateway = await TestGateway.StartAsync(new() { ["Gateway:AcceptClientRequestIds"] = "false" });
        var ids = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHttp.Json(GatewayHttp.ChatBody("hello")) };
            request.Headers.Add("x-request-id", "client-trace-42");
            var response = await gateway.Http.SendAsync(request);
            ids.Add(response.Header("x-request-id"));
            gateway.LastClientRequestId().ShouldBe(ids[^1]);
        }

        ids.ShouldAllBe(id => id.StartsWith("req_"));
        ids.Distinct().Count().ShouldBe(2);
    }

    [Fact]
    public async Task Unsafe_client_request_id_is_replaced()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHttp.Json(GatewayHttp.ChatBody("hello")) };
        request.Headers.TryAddWithoutValidation("x-request-id", "bad id with spaces <script>");

        var response = await _gateway.Http.SendAsync(request);

        response.Header("x-request-id").ShouldStartWith("req_");
    }

    [Fact]
    public async Task Upstream_error_status_and_body_pass_through()
    {
        var response = await _gateway.Http.PostChatAsync("anything [sim:status=503]");

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync()).ShouldContain("Simulated upstream failure (503)");
        response.Header("x-request-id").ShouldNotBeEmpty();
    }
}
