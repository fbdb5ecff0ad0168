using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Calibration;

/// <summary>
/// Scores every outcome that has both a prediction and a judgeable actual result, per (model, category), per model
/// (category <c>all</c>) and overall (<c>all</c>, <c>all</c>), cumulatively since start. The category is the
/// prediction's top category (<c>none</c> for predicted compliances). Model names come from clients, so only the first
/// <see cref="CalibrationOptions.MaxModels"/> get their own key; the rest share <c>other</c>.
/// </summary>
public sealed class CalibrationAggregator(IOptions<CalibrationOptions> options) : IOutcomeSink
{
    public const string All = "all";

    private readonly CalibrationOptions _options = options.Value;
    private readonly Dictionary<(string Model, string Category), CalibrationCounts> _counts = [];
    private readonly ModelLabels _models = new(options.Value.MaxModels);
    private readonly Lock _lock = new();

    public ValueTask WriteAsync(RequestOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome.Prediction is not { } prediction || !outcome.Observed.IsScorable())
        {
            return ValueTask.CompletedTask;
        }

        Add(outcome.Model, prediction.TopCategory, prediction.RefusalProbability, prediction.PredictedRefusal, prediction.Confidence, outcome.Observed.IsRefusal());
        return ValueTask.CompletedTask;
    }

    /// <summary>Scores one prediction against what happened (also used by <c>report</c> on records read back from Redis).</summary>
    public void Add(string model, string category, double refusalProbability, bool predictedRefusal, double confidence, bool actualRefusal)
    {
        lock (_lock)
        {
            var bounded = _models.Label(model);
            foreach (var key in new[] { (bounded, category), (bounded, All), (All, All) })
            {
                if (!_counts.TryGetValue(key, out var counts))
                {
                    _counts[key] = counts = new CalibrationCounts();
                }

                counts.Add(refusalProbability, predictedRefusal, confidence, actualRefusal, _options.HighConfidenceThreshold);
            }
        }
    }

    /// <summary>The current figures for every (model, category) seen.</summary>
    public IReadOnlyList<(string Model, string Category, CalibrationFigures Figures)> Snapshot()
    {
        lock (_lock)
        {
            return [.. _counts.Select(c => (c.Key.Model, c.Key.Category, CalibrationFigures.From(c.Value)))];
        }
    }
}
