namespace RefusalGate.Cli.Evaluation;

/// <summary>One line of a labelled set: the model's prediction, the reference answer and the slice it is reported in.</summary>
/// <param name="Slice">The line's value of <c>--by</c>; null without <c>--by</c>.</param>
/// <param name="Confidence">The probability of the predicted class, as the gateway's high-confidence figures use it.</param>
internal readonly record struct LabelledPrediction(string? Slice, double RefusalProbability, bool PredictedRefusal, double Confidence, bool ActualRefusal);
