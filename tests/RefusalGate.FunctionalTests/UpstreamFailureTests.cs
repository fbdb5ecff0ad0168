using System.Net;
using System.Net.Sockets;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

/// <summary>Upstream trouble becomes the status a client expects (502, 504), in OpenAI's error format.</summary>
public sealed class UpstreamFailureTests
{
    [Fact]
    public async Task Unreachable_upstream_gets_502()
    {
        await using var gateway = await TestGateway.StartAsync(new()
        {
            ["Gateway:Upstreams:dead:BaseUrl"] = $"http://127.0.0.1:{UnusedPort()}/v1",
            ["Gateway:Upstreams:dead:Models:0"] = "dead-*",
        });

        var response = await gateway.Http.PostChatAsync("hello", model: "dead-model");

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        (await response.ReadErrorAsync()).GetProperty("code").GetString().ShouldBe("upstream_unreachable");
        response.Header("x-refusalgate-decision").ShouldBe("allow");
    }

    [Fact]
    public async Task Silent_upstream_gets_504_after_the_configured_timeout()
    {
        await using var gateway = await TestGateway.StartAsync(new() { ["Gateway:Upstreams:main:Timeout"] = "00:00:01" });

        var response = await gateway.Http.PostChatAsync("slow please [sim:delay=4000]");

        response.StatusCode.ShouldBe(HttpStatusCode.GatewayTimeout);
        (await response.ReadErrorAsync()).GetProperty("code").GetString().ShouldBe("upstream_timeout");
    }

    [Fact]
    public async Task Connection_reset_by_upstream_gets_502()
    {
        await using var gateway = await TestGateway.StartAsync();

        var response = await gateway.Http.PostChatAsync("reset me [sim:reset]");

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        await response.ReadErrorAsync();
    }

    [Fact]
    public async Task Model_no_upstream_serves_gets_404()
    {
        await using var gateway = await TestGateway.StartAsync(new() { ["Gateway:Upstreams:main:Models:0"] = "demo-*" });

        var response = await gateway.Http.PostChatAsync("hello", model: "mystery-model");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.ReadErrorAsync()).GetProperty("code").GetString().ShouldBe("model_not_found");
        gateway.Main.Stats.TotalRequests.ShouldBe(0);
    }

    [Fact]
    public async Task Client_leaving_mid_stream_cancels_the_upstream_call()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody("tell me a long story [sim:chunk-delay=200]", stream: true)),
        };

        using (var response = await gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64];
            (await body.ReadAsync(buffer)).ShouldBeGreaterThan(0);
        }

        // Eventually (not a timing assertion: the bound only stops a broken build from hanging).
        for (var i = 0; i < 100 && gateway.Main.Stats.AbortedByClient == 0; i++)
        {
            await Task.Delay(100);
        }

        gateway.Main.Stats.AbortedByClient.ShouldBe(1);
    }

    [Fact]
    public async Task Stream_cut_by_upstream_ends_the_client_stream_with_an_error()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody("tell me a long story about the sea and ships [sim:chunk-delay=100] [sim:cut-stream]", stream: true)),
        };

        using var response = await gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await Should.ThrowAsync<Exception>(async () => await response.Content.ReadAsStringAsync());
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
