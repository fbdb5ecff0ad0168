namespace RefusalGate.Classification.Prediction;

/// <summary>What the prompt classifier expects the model to do with a prompt.</summary>
/// <param name="RefusalProbability">Calibrated P(a typical aligned model refuses), shrunk toward 0.5 for unfamiliar prompts.</param>
/// <param name="PredictedRefusal">Whether <paramref name="RefusalProbability"/> reaches the manifest's decision threshold.</param>
/// <param name="Confidence">Probability of the predicted class: p when refusal is predicted, else 1 − p.</param>
/// <param name="TopCategory">Most likely category of a predicted refusal; <see cref="PromptPredictionFactory.NoCategory"/> when comply is predicted.</param>
/// <param name="Categories">P(refused and category c) for every category of the taxonomy.</param>
public sealed record PromptPrediction(
    float RefusalProbability,
    bool PredictedRefusal,
    float Confidence,
    string TopCategory,
    IReadOnlyDictionary<string, float> Categories);
