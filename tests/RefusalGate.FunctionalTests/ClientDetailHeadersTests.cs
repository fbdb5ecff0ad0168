using System.Net.Http.Json;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// What the upstream learns about the client: by default nothing beyond the call itself (no addresses, no cookies),
/// whatever the client or an ingress in front sent; <c>Gateway:ForwardClientAddresses</c> and
/// <c>Gateway:ForwardCookies</c> turn each back on.
/// </summary>
public sealed class ClientDetailHeadersTests
{
    [Fact]
    public async Task By_default_the_upstream_gets_no_client_addresses_and_no_cookies()
    {
        await using var gateway = await TestGateway.StartAsync();

        var seen = await SendWithClientDetailsAsync(gateway);

        seen.ClientDetailHeaders.ShouldNotBeNull().ShouldBeEmpty();
    }

    [Fact]
    public async Task Each_option_forwards_its_headers()
    {
        await using var gateway = await TestGateway.StartAsync(new()
        {
            ["Gateway:ForwardClientAddresses"] = "true",
            ["Gateway:ForwardCookies"] = "true",
        });

        var seen = await SendWithClientDetailsAsync(gateway);

        // YARP's own X-Forwarded-For/-Proto/-Host in place of the client's (no path base, so no -Prefix; YARP drops the
        // client's Forwarded, which could contradict them), X-Real-IP as sent.
        seen.ClientDetailHeaders.ShouldBe(["cookie", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip"]);
    }

    private static async Task<RefusalGate.Simulator.Hosting.ReceivedRequest> SendWithClientDetailsAsync(TestGateway gateway)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "demo-model", messages = new[] { new { role = "user", content = "Tell me about tides" } } }),
        };
        request.Headers.Add("Cookie", "session=abc123");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("Forwarded", "for=203.0.113.7;proto=https");
        request.Headers.Add("X-Real-IP", "203.0.113.7");

        using var response = await gateway.Http.SendAsync(request);

        response.EnsureSuccessStatusCode();
        return gateway.Main.Stats.Recent.Single(r => r.RequestId == response.Header("x-request-id") && !r.IsIntrospection);
    }
}
