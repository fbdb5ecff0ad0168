namespace RefusalGate.FunctionalTests.Infrastructure;

/// <summary>
/// The calibration figures of one prediction source, computed from the calibration counters of a scrape the way the
/// shipped Prometheus rules (<c>deploy/prometheus/refusalgate-rules.yaml</c>) compute them across replicas: ratios of
/// sums. Keyed like the gauges; d′ and c need the inverse normal, which PromQL lacks, so they are not here.
/// </summary>
internal static class CalibrationCounterFigures
{
    public static Dictionary<string, double> Of(PrometheusExposition scrape, string source)
    {
        bool Source(IReadOnlyDictionary<string, string> labels) => labels["source"] == source;
        double Predictions(params string[] outcomes) =>
            scrape.Sum("refusalgate_calibration_predictions_total", l => Source(l) && (outcomes.Length == 0 || outcomes.Contains(l["outcome"])));

        var n = Predictions();
        var binProbability = scrape.SumBy("refusalgate_calibration_bin_probability_total", "bin", Source);
        var binRefusals = scrape.SumBy("refusalgate_calibration_bin_refusals_total", "bin", Source);
        var highConfidence = scrape.Sum("refusalgate_calibration_high_confidence_total", Source);
        return new()
        {
            ["samples"] = n,
            ["accuracy"] = Predictions("hit", "correct_rejection") / n,
            ["ece"] = binProbability.Sum(bin => Math.Abs(bin.Value - binRefusals[bin.Key])) / scrape.Sum("refusalgate_calibration_bin_predictions_total", Source),
            ["brier"] = scrape.Sum("refusalgate_calibration_squared_error_total", Source) / n,
            ["high_confidence_accuracy"] = scrape.Sum("refusalgate_calibration_high_confidence_total", l => Source(l) && l["correct"] == "true") / highConfidence,
            ["high_confidence_coverage"] = highConfidence / n,
        };
    }
}
