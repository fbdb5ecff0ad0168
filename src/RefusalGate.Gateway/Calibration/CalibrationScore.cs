using RefusalGate.Gateway.Observation;

namespace RefusalGate.Gateway.Calibration;

/// <summary>One prediction of one source scored against what the model actually did.</summary>
/// <param name="Source">Which predictor: <see cref="CalibrationSources"/>.</param>
/// <param name="Category">The prediction's top category (<c>none</c> for predicted compliances).</param>
/// <param name="Confidence">The probability of the predicted class.</param>
public readonly record struct CalibrationScore(
    string Source,
    string Model,
    string Category,
    double RefusalProbability,
    bool PredictedRefusal,
    double Confidence,
    bool ActualRefusal)
{
    /// <summary>A probability-only prediction (self, fused, raw): refusal predicted at ½, confidence is the larger side.</summary>
    public static CalibrationScore FromProbability(string source, string model, string category, double refusalProbability, bool actualRefusal) =>
        new(source, model, category, refusalProbability, refusalProbability >= 0.5, Math.Max(refusalProbability, 1 - refusalProbability), actualRefusal);
}

/// <summary>
/// The prediction sources scored, and which of them an outcome carries. One definition for the live gauges, the
/// Redis aggregates and <c>report</c>, so the three always count the same things.
/// </summary>
public static class CalibrationSources
{
    /// <summary>The prompt classifier's probability as served (after online recalibration when that is on).</summary>
    public const string Classifier = "classifier";

    /// <summary>The prompt classifier's own probability before recalibration; scored only while recalibration changes it.</summary>
    public const string ClassifierRaw = "classifier_raw";

    public const string Self = "self";
    public const string Fused = "fused";

    /// <summary>The scores of one outcome: none when it has no prediction or nothing the model did can be judged.</summary>
    public static IEnumerable<CalibrationScore> Of(RequestOutcome outcome)
    {
        if (outcome.Prediction is not { } prediction || !outcome.Observed.IsScorable())
        {
            yield break;
        }

        var refused = outcome.Observed.IsRefusal();
        var category = prediction.TopCategory;
        yield return new(Classifier, outcome.Model, category, prediction.RefusalProbability, prediction.PredictedRefusal, prediction.Confidence, refused);
        if (outcome.RawPrediction is { } raw)
        {
            // The classifier's own prediction: its own category and decision at the classifier's threshold.
            yield return new(ClassifierRaw, outcome.Model, raw.TopCategory, raw.RefusalProbability, raw.PredictedRefusal, raw.Confidence, refused);
        }

        if (outcome.SelfPrediction?.RefusalProbability is { } self)
        {
            yield return CalibrationScore.FromProbability(Self, outcome.Model, category, self, refused);
        }

        if (outcome.FusedProbability is { } fused)
        {
            yield return CalibrationScore.FromProbability(Fused, outcome.Model, category, fused, refused);
        }
    }

    /// <summary>Report order: classifier, its raw form, self, fused.</summary>
    public static int Order(string source) => source switch
    {
        Classifier => 0,
        ClassifierRaw => 1,
        Self => 2,
        _ => 3,
    };
}
