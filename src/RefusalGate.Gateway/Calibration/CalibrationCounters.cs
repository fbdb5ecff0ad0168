using System.Diagnostics.Metrics;
using System.Globalization;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Calibration;

/// <summary>
/// The calibration counts themselves, as counters, so Prometheus can add them up across replicas and over any range:
/// accuracy, hit and false-alarm rates, ECE, Brier and the high-confidence figures are ratios of sums of these (README,
/// "Metrics"; <c>deploy/prometheus/refusalgate-rules.yaml</c> records them per model). The gauges
/// (<see cref="CalibrationMetrics"/>) are per replica; d′ and c need the inverse normal, which PromQL lacks, so they
/// exist only as gauges. Counts are since start and only for leaf keys (never <c>all</c>), so a sum counts each
/// prediction once; the reliability bins are per model, without the category, to keep the series few.
/// </summary>
public sealed class CalibrationCounters
{
    private static readonly string[] BinLabels = [.. Enumerable.Range(0, CalibrationCounts.Bins).Select(b => (b / (double)CalibrationCounts.Bins).ToString("0.0", CultureInfo.InvariantCulture))];

    public CalibrationCounters(IMeterFactory meterFactory, CalibrationAggregator aggregator)
    {
        var meter = meterFactory.Create(GatewayMetrics.MeterName + ".Calibration");
        meter.CreateObservableCounter(
            "refusalgate.calibration.predictions",
            () => Predictions(aggregator.TotalCounts()),
            "{prediction}",
            "Scored predictions by signal-detection outcome: hit (refusal predicted and given), miss, false_alarm, correct_rejection.");
        meter.CreateObservableCounter(
            "refusalgate.calibration.squared_error",
            () => PerCategory(aggregator.TotalCounts(), c => c.BrierSum),
            "1",
            "Sum of squared errors of the refusal probability; divided by the predictions' count it is the Brier score.");
        meter.CreateObservableCounter(
            "refusalgate.calibration.high_confidence",
            () => HighConfidence(aggregator.TotalCounts()),
            "{prediction}",
            "Predictions at or above the high-confidence threshold, by whether they were right.");
        meter.CreateObservableCounter(
            "refusalgate.calibration.bin_predictions",
            () => PerBin(aggregator.TotalCounts(), (c, b) => c.BinCounts[b]),
            "{prediction}",
            "Predictions per reliability bin (bin = lower edge of a tenth of the refusal probability).");
        meter.CreateObservableCounter(
            "refusalgate.calibration.bin_probability",
            () => PerBin(aggregator.TotalCounts(), (c, b) => c.BinProbabilitySums[b]),
            "1",
            "Sum of the predicted refusal probabilities per reliability bin.");
        meter.CreateObservableCounter(
            "refusalgate.calibration.bin_refusals",
            () => PerBin(aggregator.TotalCounts(), (c, b) => c.BinRefusals[b]),
            "{prediction}",
            "Actual refusals per reliability bin.");
    }

    private static IEnumerable<Measurement<long>> Predictions(IReadOnlyList<KeyValuePair<CalibrationKey, CalibrationCounts>> counts)
    {
        foreach (var (key, c) in counts.Where(IsCategoryLeaf))
        {
            yield return new(c.Hits, Tags(key, "outcome", "hit"));
            yield return new(c.Misses, Tags(key, "outcome", "miss"));
            yield return new(c.FalseAlarms, Tags(key, "outcome", "false_alarm"));
            yield return new(c.CorrectRejections, Tags(key, "outcome", "correct_rejection"));
        }
    }

    private static IEnumerable<Measurement<double>> PerCategory(IReadOnlyList<KeyValuePair<CalibrationKey, CalibrationCounts>> counts, Func<CalibrationCounts, double> value) =>
        counts.Where(IsCategoryLeaf).Select(entry => new Measurement<double>(value(entry.Value), Tags(entry.Key)));

    private static IEnumerable<Measurement<long>> HighConfidence(IReadOnlyList<KeyValuePair<CalibrationKey, CalibrationCounts>> counts)
    {
        foreach (var (key, c) in counts.Where(IsCategoryLeaf))
        {
            yield return new(c.HighConfidenceCorrect, Tags(key, "correct", "true"));
            yield return new(c.HighConfidenceCount - c.HighConfidenceCorrect, Tags(key, "correct", "false"));
        }
    }

    private static IEnumerable<Measurement<T>> PerBin<T>(IReadOnlyList<KeyValuePair<CalibrationKey, CalibrationCounts>> counts, Func<CalibrationCounts, int, T> value)
        where T : struct
    {
        foreach (var (key, c) in counts.Where(e => e.Key.Model != CalibrationTable.All && e.Key.Category == CalibrationTable.All))
        {
            for (var b = 0; b < CalibrationCounts.Bins; b++)
            {
                yield return new(value(c, b), [new("source", key.Source), new("model", key.Model), new("bin", BinLabels[b])]);
            }
        }
    }

    private static bool IsCategoryLeaf(KeyValuePair<CalibrationKey, CalibrationCounts> entry) =>
        entry.Key.Model != CalibrationTable.All && entry.Key.Category != CalibrationTable.All;

    private static KeyValuePair<string, object?>[] Tags(CalibrationKey key) =>
        [new("source", key.Source), new("model", key.Model), new("category", key.Category)];

    private static KeyValuePair<string, object?>[] Tags(CalibrationKey key, string name, string value) =>
        [new("source", key.Source), new("model", key.Model), new("category", key.Category), new(name, value)];
}
