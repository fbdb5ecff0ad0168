using System.Net;
using Microsoft.Extensions.Logging;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// What an operator reads when forwarding fails: one line per failed request, with its id and the transport's reason,
/// at a level that says whose fault it was — not YARP's warning with a whole stack trace for every broken stream.
/// </summary>
public sealed class ForwardingLogTests
{
    [Fact]
    public async Task A_stream_cut_by_the_upstream_is_one_warning_line_with_the_request_id_and_the_reason()
    {
        var logs = new LogCollector();
        await using var gateway = await TestGateway.StartAsync(logs: logs);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody("tell me a long story about the sea and ships [sim:chunk-delay=100] [sim:cut-stream]", stream: true)),
        };

        using var response = await gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await Should.ThrowAsync<Exception>(async () => await response.Content.ReadAsStringAsync());
        var requestId = response.Header("x-request-id");
        (await gateway.WaitForOutcomeAsync(requestId)).Completed.ShouldBeFalse();

        var line = logs.Entries.Where(e => e.Message.Contains(requestId, StringComparison.Ordinal)).ShouldHaveSingleItem();
        line.Level.ShouldBe(LogLevel.Warning);
        line.Exception.ShouldBeNull();
        line.Message.ShouldContain("upstream main");
        line.Message.ShouldMatch("(?i)reset|ended prematurely"); // the transport's own words, not only YARP's error name
        logs.Entries.ShouldNotContain(e => e.Level >= LogLevel.Warning && e.Category.StartsWith("Yarp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_leaving_mid_stream_is_one_information_line()
    {
        var logs = new LogCollector();
        await using var gateway = await TestGateway.StartAsync(logs: logs);
        using var leaver = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0, ResponseDrainTimeout = TimeSpan.Zero })
        {
            BaseAddress = gateway.BaseAddress,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody("tell me a long story [sim:chunk-delay=200]", stream: true)),
        };

        string requestId;
        using (var response = await leaver.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            requestId = response.Header("x-request-id");
            await using var body = await response.Content.ReadAsStreamAsync();
            (await body.ReadAsync(new byte[64])).ShouldBeGreaterThan(0);
        }

        (await gateway.WaitForOutcomeAsync(requestId)).Completed.ShouldBeFalse();
        var line = logs.Entries.Where(e => e.Message.Contains(requestId, StringComparison.Ordinal)).ShouldHaveSingleItem();
        line.Level.ShouldBe(LogLevel.Information);
        line.Exception.ShouldBeNull();
        logs.Entries.ShouldNotContain(e => e.Level >= LogLevel.Warning);
    }

    // The gateway quiets other libraries' categories by default; an operator chasing a problem can turn one up again.
    [Theory]
    [InlineData(null, false)]
    [InlineData("Information", true)]
    public async Task A_level_the_configuration_sets_for_a_library_category_wins_over_the_gateways_default(string? level, bool logged)
    {
        var logs = new LogCollector();
        var overrides = new Dictionary<string, string?>();
        if (level is not null)
        {
            overrides["Logging:LogLevel:Microsoft.AspNetCore"] = level;
        }

        await using var gateway = await TestGateway.StartAsync(overrides, logs: logs);
        (await gateway.Http.GetAsync("healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // ASP.NET Core's hosting diagnostics log every request at Information.
        logs.Entries.Any(e => e.Level == LogLevel.Information && e.Category.StartsWith("Microsoft.AspNetCore.Hosting", StringComparison.Ordinal)).ShouldBe(logged);
    }
}
