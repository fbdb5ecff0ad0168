using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using RefusalGate.Classification.Prediction;

namespace RefusalGate.Gateway.Recalibration;

/// <summary>What the last fit found for one model: ECE and Brier on the held-out newest samples, raw and recalibrated.</summary>
public sealed record RecalibrationFit(string Model, int Samples, int Categories, double EceBefore, double EceAfter, double BrierBefore, double BrierAfter, bool Applied);

/// <summary>
/// The calibrators of one model: its own, and per top category where a category had enough outcomes; and where they
/// may be used: only for a prediction whose (top category, tenth of probability) had at least
/// <paramref name="MinSupport"/> logged outcomes in the fit (<see cref="CalibrationSupport"/>; 0 = everywhere).
/// </summary>
public sealed record ModelCalibrators(ICalibrator Model, IReadOnlyDictionary<string, ICalibrator> Categories, CalibrationSupport Support, int MinSupport)
{
    /// <summary>The calibrator for this prediction, or null where the fit saw too few outcomes like it to move it.</summary>
    public ICalibrator? For(string category, double probability) =>
        MinSupport > 0 && Support.At(category, probability) < MinSupport ? null : Categories.GetValueOrDefault(category) ?? Model;
}

/// <summary>
/// Applies the installed calibrators to the classifier's predictions on the request path (a dictionary look-up and
/// one function; the set is swapped whole by each fit). The recalibrated probability replaces the classifier's, so the
/// policies' zones and the headers see it; refusal is then predicted at ½ (a calibrated probability means what it
/// says for this model), and the per-category probabilities are left as the classifier gave them. A prediction
/// outside the fit's support keeps the classifier's probability and is counted (<see cref="OutsideSupport"/>).
/// </summary>
public sealed class Recalibrator
{
    private volatile IReadOnlyDictionary<string, ModelCalibrators> _installed = new Dictionary<string, ModelCalibrators>();
    private volatile IReadOnlyList<RecalibrationFit> _fits = [];

    private readonly ConcurrentDictionary<string, StrongBox<long>> _outsideSupport = new(StringComparer.Ordinal);

    public IReadOnlyList<RecalibrationFit> LastFits => _fits;

    /// <summary>Per model with calibrators, the predictions served raw because the fit saw too few outcomes like them.</summary>
    public IEnumerable<KeyValuePair<string, long>> OutsideSupport => _outsideSupport.Select(c => KeyValuePair.Create(c.Key, Volatile.Read(ref c.Value.Value)));

    public bool TryApply(string model, PromptPrediction prediction, out PromptPrediction recalibrated)
    {
        recalibrated = prediction;
        if (!_installed.TryGetValue(model, out var calibrators))
        {
            return false;
        }

        if (calibrators.For(prediction.TopCategory, prediction.RefusalProbability) is not { } calibrator)
        {
            // Bounded: only models with installed calibrators (enough outcomes of their own) get a counter.
            Interlocked.Increment(ref _outsideSupport.GetOrAdd(model, _ => new StrongBox<long>()).Value);
            return false;
        }

        var p = (float)calibrator.Apply(prediction.RefusalProbability);
        var refuse = p >= 0.5f;
        var top = !refuse ? PromptPredictionFactory.NoCategory
            : prediction.PredictedRefusal ? prediction.TopCategory
            : prediction.Categories.Count == 0 ? PromptPredictionFactory.NoCategory
            : prediction.Categories.MaxBy(c => c.Value).Key;
        recalibrated = prediction with { RefusalProbability = p, PredictedRefusal = refuse, Confidence = refuse ? p : 1 - p, TopCategory = top };
        return true;
    }

    internal void Install(IReadOnlyDictionary<string, ModelCalibrators> calibrators, IReadOnlyList<RecalibrationFit> fits)
    {
        _installed = calibrators;
        _fits = fits;
    }
}
