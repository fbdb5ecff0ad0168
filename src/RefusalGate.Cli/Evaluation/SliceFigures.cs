using RefusalGate.Gateway.Calibration;

namespace RefusalGate.Cli.Evaluation;

/// <summary>
/// The figures of one slice of a labelled set: the gateway's calibration figures (the same definitions as the live
/// gauges and <c>report</c>) plus AUROC, which needs every score and so exists only offline.
/// </summary>
internal sealed record SliceFigures(string Slice, long Refusals, CalibrationFigures Figures, double Auroc)
{
    public const string All = "all";

    /// <summary>
    /// "all" first, then, with <c>--by</c>, one row per slice value in ordinal order — also when there is only one, which
    /// then repeats "all" but says which value the whole set has.
    /// </summary>
    public static IReadOnlyList<SliceFigures> Summarise(IReadOnlyCollection<LabelledPrediction> predictions, double highConfidenceThreshold)
    {
        var rows = new List<SliceFigures> { Of(All, predictions, highConfidenceThreshold) };
        rows.AddRange(predictions
            .Where(p => p.Slice is not null)
            .GroupBy(p => p.Slice!)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Of(g.Key, g.ToList(), highConfidenceThreshold)));
        return rows;
    }

    private static SliceFigures Of(string slice, IReadOnlyCollection<LabelledPrediction> predictions, double highConfidenceThreshold)
    {
        var counts = new CalibrationCounts();
        foreach (var p in predictions)
        {
            counts.Add(new CalibrationScore("evaluate", "-", "-", p.RefusalProbability, p.PredictedRefusal, p.Confidence, p.ActualRefusal), highConfidenceThreshold);
        }

        var auroc = Gateway.Calibration.Auroc.Of(predictions.Select(p => (p.RefusalProbability, p.ActualRefusal)).ToList());
        return new SliceFigures(slice, predictions.Count(p => p.ActualRefusal), CalibrationFigures.From(counts), auroc);
    }
}
