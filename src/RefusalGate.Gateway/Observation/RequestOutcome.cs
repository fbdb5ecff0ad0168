using RefusalGate.Classification.Prediction;
using RefusalGate.Gateway.OutcomeLog;
using RefusalGate.Gateway.Policies.SelfPrediction;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// One request's record: what was predicted before the call, what was decided, and what the model actually did.
/// It holds no secrets, and the prompt text only when configured (otherwise a salted hash).
/// </summary>
public sealed record RequestOutcome
{
    public required string RequestId { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public required string Upstream { get; init; }

    public required string Model { get; init; }

    public required string Endpoint { get; init; }

    /// <summary>The last user message's parts the classifier could not read (<c>image</c>, <c>audio</c>, <c>file</c>, <c>other</c>, comma-separated); null when it read everything.</summary>
    public string? UnreadContent { get; init; }

    public required bool Stream { get; init; }

    /// <summary>The action type taken (allow, annotate, shadow, strict, block, constructive).</summary>
    public required string Decision { get; init; }

    /// <summary>The tenant label (a tenant the policies name, <c>unknown</c> or <c>none</c>).</summary>
    public string? Tenant { get; init; }

    /// <summary>The category whose policy rule applied, and the zone the prediction fell in; null without a policy decision.</summary>
    public string? PolicyCategory { get; init; }

    public string? Zone { get; init; }

    /// <summary>The configured name of the action taken, and for a shadow action the type it would have taken.</summary>
    public string? PolicyAction { get; init; }

    public string? ShadowOf { get; init; }

    /// <summary><c>open</c> or <c>closed</c> when a stage failed and the fail mode decided.</summary>
    public string? FailMode { get; init; }

    /// <summary>The model's own prediction (inline, shadow or sampled), when one was attempted.</summary>
    public SelfPredictionResult? SelfPrediction { get; init; }

    /// <summary>Whether <see cref="SelfPrediction"/> ran beside the request (shadow or sampled) rather than deciding it.</summary>
    public bool SelfPredictionShadow { get; init; }

    /// <summary>The classifier's and the model's probabilities fused, when the cascade combined them.</summary>
    public double? FusedProbability { get; init; }

    /// <summary>The prompt classifier's prediction (recalibrated when online recalibration is on); null when classification was off or failed.</summary>
    public PromptPrediction? Prediction { get; init; }

    /// <summary>The classifier's own prediction when online recalibration replaced it in <see cref="Prediction"/>.</summary>
    public PromptPrediction? RawPrediction { get; init; }

    /// <summary>Salted hash of the prompt (the last user message); see <c>PromptRecorder</c>.</summary>
    public string? PromptHash { get; init; }

    /// <summary>The prompt itself (possibly cut, which it says), only when <c>OutcomeLog:StorePrompts</c> is on.</summary>
    public StoredPrompt? Prompt { get; init; }

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
