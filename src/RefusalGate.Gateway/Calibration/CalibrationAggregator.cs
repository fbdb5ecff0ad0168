using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Calibration;

/// <summary>One row of calibration figures: a prediction source scored for a model and a category (either may be <c>all</c>).</summary>
public sealed record CalibrationRow(string Source, string Model, string Category, CalibrationFigures Figures);

/// <summary>
/// Scores every outcome that has both a prediction and a judgeable actual result, per (model, category), per model
/// (category <c>all</c>) and overall (<c>all</c>, <c>all</c>), cumulatively since start — separately for each source of
/// prediction: the prompt <c>classifier</c>, the model's own <c>self</c>-prediction and the <c>fused</c> one. The category is the
/// prediction's top category (<c>none</c> for predicted compliances). Model names come from clients, so only the first
/// <see cref="CalibrationOptions.MaxModels"/> get their own key; the rest share <c>other</c>.
/// </summary>
public sealed class CalibrationAggregator(IOptions<CalibrationOptions> options) : IOutcomeSink
{
    public const string All = "all";
    public const string ClassifierSource = "classifier";
    public const string SelfSource = "self";
    public const string FusedSource = "fused";

    private readonly CalibrationOptions _options = options.Value;
    private readonly Dictionary<(string Source, string Model, string Category), CalibrationCounts> _counts = [];
    private readonly ModelLabels _models = new(options.Value.MaxModels);
    private readonly Lock _lock = new();

    public ValueTask WriteAsync(RequestOutcome outcome, CancellationToken cancellationToken)
    {
        if (outcome.Prediction is not { } prediction || !outcome.Observed.IsScorable())
        {
            return ValueTask.CompletedTask;
        }

        var refused = outcome.Observed.IsRefusal();
        Add(ClassifierSource, outcome.Model, prediction.TopCategory, prediction.RefusalProbability, prediction.PredictedRefusal, prediction.Confidence, refused);
        if (outcome.SelfPrediction?.RefusalProbability is { } self)
        {
            AddProbability(SelfSource, outcome.Model, prediction.TopCategory, self, refused);
        }

        if (outcome.FusedProbability is { } fused)
        {
            AddProbability(FusedSource, outcome.Model, prediction.TopCategory, fused, refused);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Scores one prediction against what happened (also used by <c>report</c> on records read back from Redis).</summary>
    public void Add(string source, string model, string category, double refusalProbability, bool predictedRefusal, double confidence, bool actualRefusal)
    {
        lock (_lock)
        {
            var bounded = _models.Label(model);
            foreach (var key in new[] { (source, bounded, category), (source, bounded, All), (source, All, All) })
            {
                if (!_counts.TryGetValue(key, out var counts))
                {
                    _counts[key] = counts = new CalibrationCounts();
                }

                counts.Add(refusalProbability, predictedRefusal, confidence, actualRefusal, _options.HighConfidenceThreshold);
            }
        }
    }

    /// <summary>Scores a probability-only prediction (self, fused): refusal predicted at ½, confidence is the larger side.</summary>
    public void AddProbability(string source, string model, string category, double refusalProbability, bool actualRefusal) =>
        Add(source, model, category, refusalProbability, refusalProbability >= 0.5, Math.Max(refusalProbability, 1 - refusalProbability), actualRefusal);

    /// <summary>The current figures for every (source, model, category) seen.</summary>
    public IReadOnlyList<CalibrationRow> Snapshot()
    {
        lock (_lock)
        {
            return [.. _counts.Select(c => new CalibrationRow(c.Key.Source, c.Key.Model, c.Key.Category, CalibrationFigures.From(c.Value)))];
        }
    }
}
