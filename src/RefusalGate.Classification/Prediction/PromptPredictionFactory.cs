namespace RefusalGate.Classification.Prediction;

/// <summary>Turns the head's raw outputs into a <see cref="PromptPrediction"/> with the documented rules.</summary>
public sealed class PromptPredictionFactory
{
    /// <summary>Category reported when comply is predicted.</summary>
    public const string NoCategory = "none";

    private readonly IReadOnlyList<string> _categories;
    private readonly float _threshold;

    public PromptPredictionFactory(IReadOnlyList<string> categories, float decisionThreshold)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentOutOfRangeException.ThrowIfLessThan(decisionThreshold, 0f);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decisionThreshold, 1f);
        _categories = categories;
        _threshold = decisionThreshold;
    }

    public float DecisionThreshold => _threshold;

    public PromptPrediction Create(float refusalProbability, ReadOnlySpan<float> categoryProbabilities)
    {
        if (categoryProbabilities.Length != _categories.Count)
        {
            throw new ArgumentException($"Expected {_categories.Count} category probabilities, got {categoryProbabilities.Length}.", nameof(categoryProbabilities));
        }

        // A non-finite output can only come from a broken model file; "don't know" is the safe reading,
        // it sends the prompt down the cascade instead of acting on it.
        var p = float.IsFinite(refusalProbability) ? Math.Clamp(refusalProbability, 0f, 1f) : 0.5f;
        var refuse = p >= _threshold;
        var categories = new Dictionary<string, float>(_categories.Count, StringComparer.Ordinal);
        var top = NoCategory;
        var best = float.NegativeInfinity;
        for (var i = 0; i < _categories.Count; i++)
        {
            var value = float.IsFinite(categoryProbabilities[i]) ? Math.Clamp(categoryProbabilities[i], 0f, 1f) : 0f;
            categories[_categories[i]] = value;
            if (value > best)
            {
                best = value;
                top = _categories[i];
            }
        }

        return new PromptPrediction(p, refuse, refuse ? p : 1f - p, refuse ? top : NoCategory, categories);
    }
}
