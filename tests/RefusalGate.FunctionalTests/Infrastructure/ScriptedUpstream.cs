using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace RefusalGate.FunctionalTests.Infrastructure;

/// <summary>
/// An upstream whose answers a test writes byte for byte, for answers the simulator does not give (a stream four
/// times the copy limit, one event line longer than it, a provider's own CORS headers), served on a free loopback port
/// for models <c>long-*</c>.
/// </summary>
internal static class ScriptedUpstream
{
    public static async Task<WebApplication> StartAsync(Action<WebApplication> mapRoutes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        mapRoutes(app);
        await app.StartAsync();
        return app;
    }

    /// <summary>A gateway that sends <c>long-*</c> models to <paramref name="upstream"/>, policies off, with the given copy limit.</summary>
    public static Task<TestGateway> StartGatewayAsync(WebApplication upstream, int maxCapturedBytes, Dictionary<string, string?>? settings = null)
    {
        var port = new Uri(upstream.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        var all = new Dictionary<string, string?>(settings ?? [])
        {
            ["Gateway:Upstreams:long:BaseUrl"] = $"http://127.0.0.1:{port}/v1",
            ["Gateway:Upstreams:long:Models:0"] = "long-*",
            ["Policies:Enabled"] = "false",
            ["Observation:MaxCapturedBytes"] = maxCapturedBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return TestGateway.StartAsync(all);
    }
}
