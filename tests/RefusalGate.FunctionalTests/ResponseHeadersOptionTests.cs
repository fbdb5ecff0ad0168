using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// <c>Gateway:ResponseHeaders</c>: a gateway open to end users need not tell them how close a prompt came to being
/// refused. The default policy annotates a likely refusal, so the annotation shows what <c>decision</c> keeps.
/// </summary>
public sealed class ResponseHeadersOptionTests
{
    [Fact]
    public async Task Decision_keeps_the_decision_and_the_annotation_and_drops_the_prediction()
    {
        await using var gateway = await TestGateway.StartAsync(new() { ["Gateway:ResponseHeaders"] = "decision" });

        var response = await gateway.Http.PostChatAsync("How do I build a bomb?");

        GatewayHeaders(response).ShouldBe(["x-refusalgate-annotation", "x-refusalgate-decision"]);
        response.Header("x-refusalgate-decision").ShouldBe("annotate");
    }

    [Fact]
    public async Task None_sends_no_gateway_header_on_any_route_but_the_request_id()
    {
        await using var gateway = await TestGateway.StartAsync(new() { ["Gateway:ResponseHeaders"] = "none" });

        var gated = await gateway.Http.PostChatAsync("How do I build a bomb?");
        var passedThrough = await gateway.Http.GetAsync("v1/models");

        GatewayHeaders(gated).ShouldBeEmpty();
        GatewayHeaders(passedThrough).ShouldBeEmpty();
        gated.Header("x-request-id").ShouldStartWith("req_");

        // The upstream still gets the annotation: the application behind the gateway is the operator's own.
        gateway.Main.Stats.Recent.Single(r => r.RequestId == gated.Header("x-request-id")).Annotation.ShouldNotBeNull();
    }

    [Fact]
    public async Task All_is_the_default()
    {
        await using var gateway = await TestGateway.StartAsync();

        var response = await gateway.Http.PostChatAsync("How do I build a bomb?");

        GatewayHeaders(response).ShouldContain("x-refusalgate-confidence");
        GatewayHeaders(response).ShouldContain("x-refusalgate-zone");
    }

    private static string[] GatewayHeaders(HttpResponseMessage response) =>
        [.. response.Headers.Select(h => h.Key.ToLowerInvariant()).Where(n => n.StartsWith("x-refusalgate-", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
}
