using RefusalGate.Gateway.Calibration;

namespace RefusalGate.Cli.Evaluation;

/// <summary>
/// The figures of one slice of a labelled set: the gateway's calibration figures (the same definitions as the live
/// gauges and <c>report</c>) plus AUROC, which needs every score and so exists only offline.
/// </summary>
internal sealed record SliceFigures(string Slice, long Refusals, CalibrationFigures Figures, double Auroc)
{
    public const string All = "all";

    /// <summary>"all" first, then one row per slice value in ordinal order (only when more than one value occurs).</summary>
    public static IReadOnlyList<SliceFigures> Summarise(IReadOnlyCollection<LabelledPrediction> predictions, double highConfidenceThreshold)
    {
        var rows = new List<SliceFigures> { Of(All, predictions, highConfidenceThreshold) };
        var slices = predictions.GroupBy(p => p.Slice).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (slices.Count > 1)
        {
            rows.AddRange(slices.Select(g => Of(g.Key, g.ToList(), highConfidenceThreshold)));
        }

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
