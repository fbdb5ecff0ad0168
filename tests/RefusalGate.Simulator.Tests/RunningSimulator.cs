using System.Text;
using RefusalGate.Simulator.Hosting;

namespace RefusalGate.Simulator.Tests;

/// <summary>A simulator with the default rules on a loopback port, and a client for it, shared by a test class.</summary>
public sealed class RunningSimulator : IAsyncLifetime
{
    public SimulatorServer Server { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await SimulatorServer.StartAsync(new SimulatorServerOptions());
        Client = new HttpClient { BaseAddress = Server.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
