namespace RefusalGate.Classification.Prediction;

/// <summary>Predicts, before the upstream call, whether the model will refuse a prompt.</summary>
public interface IPromptClassifier
{
    ValueTask<PromptPrediction> ClassifyAsync(string prompt, CancellationToken cancellationToken);
}
