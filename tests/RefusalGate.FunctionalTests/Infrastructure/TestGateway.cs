// The OpenAI client marks its Responses API as evaluation-only (OPENAI001); the tests use it as a client would.
#pragma warning disable OPENAI001
using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Responses;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Gateway.Observation;
using RefusalGate.Simulator.Hosting;

namespace RefusalGate.FunctionalTests.Infrastructure;

/// <summary>
/// A real gateway on a free loopback port in front of real simulated upstreams, each on its own port:
/// "main" serves <c>demo-*</c> (client keys pass through, 2 s inactivity timeout), "strict" serves <c>strict-*</c> and
/// injects its own API key, "dead" serves <c>dead-*</c> at a closed port. Bodies are limited to 64 KiB and
/// <c>forbidden-*</c> models are denied. Other models have no upstream.
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

    /// <param name="upstream">Options of the "main" simulated upstream (e.g. a replay file); the defaults otherwise.</param>
    /// <param name="logs">Receives the gateway's log entries, after the host's own log filters.</param>
    public static async Task<TestGateway> StartAsync(Dictionary<string, string?>? overrides = null, SimulatorServerOptions? upstream = null, LogCollector? logs = null)
    {
        var main = await SimulatorServer.StartAsync(upstream ?? new SimulatorServerOptions());
        var strict = await SimulatorServer.StartAsync(new SimulatorServerOptions());
        var settings = new GatewayHostSettings
        {
            Urls = "http://127.0.0.1:0",
            Overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Gateway:Upstreams:main:BaseUrl"] = new Uri(main.BaseAddress, "v1").ToString(),
                ["Gateway:Upstreams:main:Models:0"] = "demo-*",
                ["Gateway:Upstreams:main:Timeout"] = "00:00:02",
                ["Gateway:Upstreams:dead:BaseUrl"] = $"http://127.0.0.1:{UnusedPort()}/v1",
                ["Gateway:Upstreams:dead:Models:0"] = "dead-*",
                ["Gateway:MaxRequestBodyBytes"] = "65536",
                ["Gateway:ModelAccess:Deny:0"] = "forbidden-*",
                ["Gateway:Upstreams:strict:BaseUrl"] = new Uri(strict.BaseAddress, "v1").ToString(),
                ["Gateway:Upstreams:strict:Models:0"] = "strict-*",
                ["Gateway:Upstreams:strict:ApiKey"] = StrictUpstreamKey,
            },
        };
        foreach (var (key, value) in overrides ?? [])
        {
            settings.Overrides[key] = value;
        }

        var builder = GatewayHost.CreateBuilder(settings);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        var app = GatewayHost.Build(builder);
        await app.StartAsync();
        return new TestGateway(app, main, strict);
    }

    public ChatClient ChatClient(string model = "demo-model", string apiKey = "sk-client-key") =>
        new(model, new ApiKeyCredential(apiKey), new OpenAIClientOptions { Endpoint = new Uri(BaseAddress, "v1") });

    /// <summary>The official client's Responses API (<c>POST /v1/responses</c>); the model goes with each call.</summary>
    public ResponsesClient ResponsesClient(string apiKey = "sk-client-key") =>
        new OpenAIClient(new ApiKeyCredential(apiKey), new OpenAIClientOptions { Endpoint = new Uri(BaseAddress, "v1") }).GetResponsesClient();

    /// <summary>
    /// The id of the last request the main upstream received from a client, skipping the gateway's own
    /// self-prediction calls: the default policy samples 1 % of confident requests for a shadow self-prediction,
    /// which can reach the upstream after the request it belongs to.
    /// </summary>
    public string? LastClientRequestId() => Main.Stats.Recent.Last(r => !r.IsIntrospection).RequestId;

    /// <summary>The gateway's record of a request, once the background judge has written it.</summary>
    public async Task<RequestOutcome> WaitForOutcomeAsync(string requestId)
    {
        var store = (InMemoryOutcomeStore)_app.Services.GetService(typeof(InMemoryOutcomeStore))!;

        // A bound so a broken build fails instead of hanging; not a latency assertion.
        for (var i = 0; i < 300; i++)
        {
            if (store.Find(requestId) is { } outcome)
            {
                return outcome;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No outcome was recorded for request {requestId}.");
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Main.DisposeAsync();
        await Strict.DisposeAsync();
    }
}

/// <summary>One gateway shared by the functional tests (starting one loads and warms up the ONNX models).</summary>
public sealed class SharedGateway : IAsyncLifetime
{
    public TestGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync() => Gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SharedGatewayDefinition : ICollectionFixture<SharedGateway>
{
    public const string Name = "gateway";
}
