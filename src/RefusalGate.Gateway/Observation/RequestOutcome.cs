using RefusalGate.Classification.Prediction;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// One request's record: what was predicted before the call, what was decided, and what the model actually did.
/// It holds no secrets and no prompt text (the outcome log adds a salted hash, or the text only when configured).
/// </summary>
public sealed record RequestOutcome
{
    public required string RequestId { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public required string Upstream { get; init; }

    public required string Model { get; init; }

    public required string Endpoint { get; init; }

    public required bool Stream { get; init; }

    public required string Decision { get; init; }

    /// <summary>The prompt classifier's prediction; null when classification was off or failed.</summary>
    public PromptPrediction? Prediction { get; init; }

    public required int StatusCode { get; init; }

    public required ObservedKind Observed { get; init; }

    /// <summary>The detector's probability of refusal; null when no text was judged.</summary>
    public float? RefusalProbability { get; init; }

    /// <summary>Why it refused (<c>safety</c>, <c>capability</c>, ...) when the detector can tell.</summary>
    public string? RefusalReason { get; init; }

    /// <summary>False when the answer was cut short (stream broken, client gone, timeout).</summary>
    public required bool Completed { get; init; }

    /// <summary>The answer was longer than the capture limit; the detector judged its start.</summary>
    public required bool Truncated { get; init; }

    public TimeSpan? GateDuration { get; init; }

    public TimeSpan? ClassifierDuration { get; init; }

    public TimeSpan? UpstreamDuration { get; init; }

    public TimeSpan? DetectorDuration { get; init; }

    public int? PromptTokens { get; init; }

    public int? CompletionTokens { get; init; }
}
