using Microsoft.Extensions.Hosting;

namespace RefusalGate.Gateway.Telemetry;

/// <summary>Creates the collector when the host starts, so measurements taken before the first scrape are counted.</summary>
internal sealed class MetricsCollectorStartup(PrometheusMetricsCollector collector) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(collector);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
