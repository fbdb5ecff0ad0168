using Microsoft.Extensions.Hosting;
using RefusalGate.Gateway.Calibration;

namespace RefusalGate.Gateway.Telemetry;

/// <summary>
/// Creates the collector and the calibration gauges when the host starts, so measurements taken before the first
/// scrape are counted.
/// </summary>
internal sealed class MetricsCollectorStartup(PrometheusMetricsCollector collector, CalibrationMetrics calibration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(collector);
        GC.KeepAlive(calibration);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
