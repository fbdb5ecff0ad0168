using Microsoft.Extensions.Hosting;
using RefusalGate.Gateway.Calibration;
using RefusalGate.Gateway.Recalibration;

namespace RefusalGate.Gateway.Telemetry;

/// <summary>
/// Creates the collector, the calibration gauges and counters and the recalibration gauges when the host starts, so measurements taken before the first
/// scrape are counted.
/// </summary>
internal sealed class MetricsCollectorStartup(PrometheusMetricsCollector collector, CalibrationMetrics calibration, CalibrationCounters calibrationCounts, RecalibrationMetrics recalibration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(collector);
        GC.KeepAlive(calibration);
        GC.KeepAlive(calibrationCounts);
        GC.KeepAlive(recalibration);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
