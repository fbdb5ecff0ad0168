using System.ClientModel;
using Microsoft.AspNetCore.Builder;
using OpenAI;
using OpenAI.Chat;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Simulator.Hosting;

namespace RefusalGate.FunctionalTests.Infrastructure;

/// <summary>
/// A real gateway on a free loopback port in front of one or more real simulated upstreams, each on its own port.
/// Upstream "main" serves every model; "strict" serves <c>strict-*</c> and injects its own API key.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    public const string StrictUpstreamKey = "sk-strict-upstream-secret";

    private readonly WebApplication _app;

    private TestGateway(WebApplication app, SimulatorServer main, SimulatorServer strict)
    {
        _app = app;
        Main = main;
        Strict = strict;
        BaseAddress = GatewayHost.GetListeningAddresses(app)[0];
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public SimulatorServer Main { get; }

    public SimulatorServer Strict { get; }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestGateway> StartAsync(Dictionary<string, string?>? overrides = null)
    {
        var main = await SimulatorServer.StartAsync(new SimulatorServerOptions());
        var strict = await SimulatorServer.StartAsync(new SimulatorServerOptions());
        var settings = new GatewayHostSettings
        {
            Urls = "http://127.0.0.1:0",
            Overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Gateway:Upstreams:main:BaseUrl"] = new Uri(main.BaseAddress, "v1").ToString(),
                ["Gateway:Upstreams:main:Models:0"] = "*",
                ["Gateway:Upstreams:strict:BaseUrl"] = new Uri(strict.BaseAddress, "v1").ToString(),
                ["Gateway:Upstreams:strict:Models:0"] = "strict-*",
                ["Gateway:Upstreams:strict:ApiKey"] = StrictUpstreamKey,
            },
        };
        foreach (var (key, value) in overrides ?? [])
        {
            settings.Overrides[key] = value;
        }

        var app = GatewayHost.Build(GatewayHost.CreateBuilder(settings));
        await app.StartAsync();
        return new TestGateway(app, main, strict);
    }

    public ChatClient ChatClient(string model = "demo-model", string apiKey = "sk-client-key") =>
        new(model, new ApiKeyCredential(apiKey), new OpenAIClientOptions { Endpoint = new Uri(BaseAddress, "v1") });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Main.DisposeAsync();
        await Strict.DisposeAsync();
    }
}
