using RefusalGate.Classification.Prediction;

namespace RefusalGate.Gateway.Recalibration;

/// <summary>What the last fit found for one model: ECE and Brier on the held-out newest samples, raw and recalibrated.</summary>
public sealed record RecalibrationFit(string Model, int Samples, int Categories, double EceBefore, double EceAfter, double BrierBefore, double BrierAfter, bool Applied);

/// <summary>The calibrators of one model: its own, and per top category where a category had enough outcomes.</summary>
public sealed record ModelCalibrators(ICalibrator Model, IReadOnlyDictionary<string, ICalibrator> Categories)
{
    public ICalibrator For(string category) => Categories.GetValueOrDefault(category) ?? Model;
}

/// <summary>
/// Applies the installed calibrators to the classifier's predictions on the request path (a dictionary look-up and
/// one function; the set is swapped whole by each fit). The recalibrated probability replaces the classifier's, so the
/// policies' zones and the headers see it; refusal is then predicted at ½ (a calibrated probability means what it
/// says for this model), and the per-category probabilities are left as the classifier gave them.
/// </summary>
public sealed class Recalibrator
{
    private volatile IReadOnlyDictionary<string, ModelCalibrators> _installed = new Dictionary<string, ModelCalibrators>();
    private volatile IReadOnlyList<RecalibrationFit> _fits = [];

    public IReadOnlyList<RecalibrationFit> LastFits => _fits;

    public bool TryApply(string model, PromptPrediction prediction, out PromptPrediction recalibrated)
    {
        if (!_installed.TryGetValue(model, out var calibrators))
        {
            recalibrated = prediction;
            return false;
        }

        var p = (float)calibrators.For(prediction.TopCategory).Apply(prediction.RefusalProbability);
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
