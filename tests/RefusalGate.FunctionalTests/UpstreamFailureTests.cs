using System.Net;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

/// <summary>Upstream trouble becomes the status a client expects (502, 504), in OpenAI's error format.</summary>
[Collection(SharedGatewayDefinition.Name)]
public sealed class UpstreamFailureTests(SharedGateway shared)
{
    private readonly TestGateway _gateway = shared.Gateway;

    [Fact]
    public async Task Unreachable_upstream_gets_502()
    {
        var response = await _gateway.Http.PostChatAsync("hello", model: "dead-model");

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        (await response.ReadErrorAsync()).GetProperty("code").GetString().ShouldBe("upstream_unreachable");
        // The request was forwarded (that is how it met the dead upstream), so the policy chose a forwarding action.
        response.Header("x-refusalgate-decision").ShouldBeOneOf("allow", "annotate", "shadow", "strict");
    }

    [Fact]
    public async Task Silent_upstream_gets_504_after_the_configured_timeout()
    {
        var response = await _gateway.Http.PostChatAsync("slow please [sim:delay=4000]");

        response.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
        (await response.ReadErrorAsync()).GetProperty("code").GetString().ShouldBe("upstream_timeout");
    }

    [Fact]
    public async Task Connection_reset_by_upstream_gets_502()
    {
        var response = await _gateway.Http.PostChatAsync("reset me [sim:reset]");

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        await response.ReadErrorAsync();
    }

    [Fact]
    public async Task Model_no_upstream_serves_gets_404()
    {
        var before = _gateway.Main.Stats.PromptRequests;

        var response = await _gateway.Http.PostChatAsync("hello", model: "mystery-model");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.ReadErrorAsync()).GetProperty("code").GetString().ShouldBe("model_not_found");
        _gateway.Main.Stats.PromptRequests.ShouldBe(before);
    }

    [Fact]
    public async Task Client_leaving_mid_stream_cancels_the_upstream_call()
    {
        var before = _gateway.Main.Stats.AbortedByClient;
        // A client that closes its connection as soon as it stops reading (then the upstream sees the abort within about
        // 0.1 s). .NET's default handler first drains the rest of the response for up to 2 s, and this 3 s stream could
        // end within that window on a loaded box: no abort ever reached the upstream (a CI flake).
        using var leaver = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0, ResponseDrainTimeout = TimeSpan.Zero })
        {
            BaseAddress = _gateway.Http.BaseAddress,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody("tell me a long story [sim:chunk-delay=200]", stream: true)),
        };

        using (var response = await leaver.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64];
            (await body.ReadAsync(buffer)).ShouldBeGreaterThan(0);
        }

        // Eventually (a bound so a broken build fails instead of hanging; not a latency assertion).
        for (var i = 0; i < 100 && _gateway.Main.Stats.AbortedByClient == before; i++)
        {
            await Task.Delay(100);
        }

        _gateway.Main.Stats.AbortedByClient.ShouldBe(before + 1);
    }

    [Fact]
    public async Task Stream_cut_by_upstream_ends_the_client_stream_with_an_error()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody("tell me a long story about the sea and ships [sim:chunk-delay=100] [sim:cut-stream]", stream: true)),
        };

        using var response = await _gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await Should.ThrowAsync<Exception>(async () => await response.Content.ReadAsStringAsync());
    }
}
