using System.Diagnostics.Metrics;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Calibration;

/// <summary>
/// Exports the live calibration figures as gauges labelled by prediction source, model, category (all bounded:
/// <see cref="CalibrationAggregator"/> caps the models; categories come from the taxonomy) and window: <c>total</c>
/// since start, <c>recent</c> for the sliding window. Undefined figures (an empty subset) are left out rather than
/// reported as a number.
/// </summary>
public sealed class CalibrationMetrics
{
    public CalibrationMetrics(IMeterFactory meterFactory, CalibrationAggregator aggregator)
    {
        var meter = meterFactory.Create(GatewayMetrics.MeterName + ".Calibration");
        Gauge(meter, aggregator, "samples", "{request}", "Requests with both a prediction and a judged outcome.", f => f.Samples);
        Gauge(meter, aggregator, "accuracy", "1", "Share of predictions (at the classifier's threshold) that matched the actual outcome.", f => f.Accuracy);
        Gauge(meter, aggregator, "hit_rate", "1", "Share of actual refusals that were predicted.", f => f.HitRate);
        Gauge(meter, aggregator, "false_alarm_rate", "1", "Share of actual compliances predicted as refusals.", f => f.FalseAlarmRate);
        Gauge(meter, aggregator, "dprime", "1", "Sensitivity d' = z(hit rate) - z(false-alarm rate), log-linear corrected.", f => f.DPrime);
        Gauge(meter, aggregator, "criterion", "1", "Response bias c = -(z(H) + z(F)) / 2; negative means refusals are over-predicted.", f => f.Criterion);
        Gauge(meter, aggregator, "ece", "1", "Expected calibration error over ten probability bins.", f => f.ExpectedCalibrationError);
        Gauge(meter, aggregator, "brier", "1", "Brier score of the refusal probability.", f => f.Brier);
        Gauge(meter, aggregator, "high_confidence_accuracy", "1", "Accuracy of predictions at or above the high-confidence threshold.", f => f.HighConfidenceAccuracy);
        Gauge(meter, aggregator, "high_confidence_coverage", "1", "Share of predictions at or above the high-confidence threshold.", f => f.HighConfidenceCoverage);
    }

    private static void Gauge(Meter meter, CalibrationAggregator aggregator, string name, string unit, string description, Func<CalibrationFigures, double> figure) =>
        meter.CreateObservableGauge(
            $"refusalgate.calibration.{name}",
            () => Measure(aggregator.Snapshot(), "total", figure).Concat(Measure(aggregator.SnapshotRecent(), "recent", figure)),
            unit,
            description);

    private static IEnumerable<Measurement<double>> Measure(IReadOnlyList<CalibrationRow> rows, string window, Func<CalibrationFigures, double> figure) =>
        rows
            .Select(row => (row, value: figure(row.Figures)))
            .Where(x => double.IsFinite(x.value))
            .Select(x => new Measurement<double>(
                x.value,
                new KeyValuePair<string, object?>("source", x.row.Source),
                new KeyValuePair<string, object?>("model", x.row.Model),
                new KeyValuePair<string, object?>("category", x.row.Category),
                new KeyValuePair<string, object?>("window", window)));
}
