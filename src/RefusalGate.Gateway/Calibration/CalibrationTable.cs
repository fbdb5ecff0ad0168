namespace RefusalGate.Gateway.Calibration;

/// <summary>Which counts a row holds: a prediction source for a model and a category (either may be <c>all</c>).</summary>
public readonly record struct CalibrationKey(string Source, string Model, string Category);

/// <summary>One row of calibration figures.</summary>
public sealed record CalibrationRow(string Source, string Model, string Category, CalibrationFigures Figures);

/// <summary>
/// Calibration counts keyed by (source, model, category): every score is counted for its (model, category), its model
/// (category <c>all</c>) and overall (<c>all</c>, <c>all</c>). Not thread-safe: owners lock around it.
/// </summary>
public sealed class CalibrationTable(double highConfidenceThreshold)
{
    public const string All = "all";

    private readonly Dictionary<CalibrationKey, CalibrationCounts> _counts = [];

    public double HighConfidenceThreshold => highConfidenceThreshold;

    public IReadOnlyDictionary<CalibrationKey, CalibrationCounts> Counts => _counts;

    public void Add(CalibrationScore score)
    {
        Get(new(score.Source, score.Model, score.Category)).Add(score, highConfidenceThreshold);
        Get(new(score.Source, score.Model, All)).Add(score, highConfidenceThreshold);
        Get(new(score.Source, All, All)).Add(score, highConfidenceThreshold);
    }

    public void Merge(CalibrationTable other)
    {
        foreach (var (key, counts) in other._counts)
        {
            Get(key).Merge(counts);
        }
    }

    /// <summary>Adds counts kept elsewhere (e.g. read back from Redis) under their own key.</summary>
    public void Merge(CalibrationKey key, CalibrationCounts counts) => Get(key).Merge(counts);

    public void Clear() => _counts.Clear();

    /// <summary>The figures of every row, in report order: source, then model and category with <c>all</c> first.</summary>
    public IReadOnlyList<CalibrationRow> Rows() =>
    [
        .. _counts
            .OrderBy(c => CalibrationSources.Order(c.Key.Source)).ThenBy(c => c.Key.Source, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Model == All ? 0 : 1).ThenBy(c => c.Key.Model, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Category == All ? 0 : 1).ThenBy(c => c.Key.Category, StringComparer.Ordinal)
            .Select(c => new CalibrationRow(c.Key.Source, c.Key.Model, c.Key.Category, CalibrationFigures.From(c.Value))),
    ];

    private CalibrationCounts Get(CalibrationKey key)
    {
        if (!_counts.TryGetValue(key, out var counts))
        {
            _counts[key] = counts = new CalibrationCounts();
        }

        return counts;
    }
}
