namespace RefusalGate.Gateway.Recalibration;

/// <summary>
/// Where a model's calibrators have seen outcomes: how many logged predictions fell in each (top category, tenth of
/// the classifier's probability). Outcomes are logged only for forwarded requests, so prompts a policy answers itself
/// (block, constructive) — typically a category's high probabilities — are never seen; a calibrator fitted on the rest
/// of the traffic would otherwise move them on no evidence at all.
/// </summary>
public sealed class CalibrationSupport
{
    private const int Bins = 10;
    private readonly Dictionary<string, int[]> _counts;

    private CalibrationSupport(Dictionary<string, int[]> counts) => _counts = counts;

    /// <summary>Support that counts nothing: every prediction is out of support unless the minimum is 0.</summary>
    public static CalibrationSupport None { get; } = new([]);

    public static CalibrationSupport Of(IEnumerable<LoggedPrediction> logged)
    {
        var counts = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var (_, category, sample) in logged)
        {
            if (!counts.TryGetValue(category, out var bins))
            {
                counts[category] = bins = new int[Bins];
            }

            bins[Bin(sample.Probability)]++;
        }

        return new CalibrationSupport(counts);
    }

    /// <summary>Logged predictions in the same top category and tenth of probability as this one.</summary>
    public int At(string category, double probability) => _counts.TryGetValue(category, out var bins) ? bins[Bin(probability)] : 0;

    private static int Bin(double probability) => Math.Clamp((int)(probability * Bins), 0, Bins - 1);
}
