using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RefusalGate.Simulator.Planning;
using RefusalGate.Simulator.Replay;
using RefusalGate.Simulator.Rules;

namespace RefusalGate.Simulator.Hosting;

/// <summary>
/// Runs the simulated upstream on Kestrel: standalone (<c>refusalgate simulate</c>), inside the gateway process in
/// demo mode, or in tests. Port 0 picks a free port; <see cref="BaseAddress"/> tells which.
/// </summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SimulatorServer(WebApplication app)
    {
        _app = app;
    }

    public SimulatorStats Stats => _app.Services.GetRequiredService<SimulatorStats>();

    /// <summary>The root URL, e.g. <c>http://127.0.0.1:5123</c>; the OpenAI base URL is this plus <c>/v1</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<SimulatorServer> StartAsync(SimulatorServerOptions options, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (options.LogToConsole)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

            // A port in use: the host logs the exception with its stack trace, then throws it to the CLI, which reports
            // it in one line; the log would say it a second time, at length.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        }

        builder.WebHost.UseUrls(options.Urls);
        var rules = options.Rules ?? SimulatorRulesLoader.LoadDefault();
        var replay = options.ReplayFile is null ? null : ReplayBook.Load(options.ReplayFile);
        builder.Services.AddSingleton(rules);
        builder.Services.AddSingleton(new ResponsePlanner(rules, replay, options.ReplayDefault));
        builder.Services.AddSingleton<SimulatorStats>();

        var app = builder.Build();
        app.MapSimulator();
        await app.StartAsync(cancellationToken);

        var server = new SimulatorServer(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed class SimulatorServerOptions
{
    /// <summary>Kestrel URL(s); the default picks a free loopback port.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:0";

    /// <summary>Rules; null means the embedded defaults.</summary>
    public SimulatorRules? Rules { get; init; }

    /// <summary>A JSONL replay file of recorded (model, prompt, response) lines.</summary>
    public string? ReplayFile { get; init; }

    /// <summary>The answer for a request the replay file does not contain; null falls back to the rules.</summary>
    public string? ReplayDefault { get; init; }

    public bool LogToConsole { get; init; }
}
