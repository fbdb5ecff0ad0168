namespace RefusalGate.Gateway.Policies.SelfPrediction;

/// <summary>How a self-prediction attempt ended.</summary>
public enum SelfPredictionStatus
{
    /// <summary>The model answered with a verdict we could read.</summary>
    Answered,

    /// <summary>The upstream did not answer within the policy's timeout.</summary>
    Timeout,

    /// <summary>The call failed (connection, non-2xx status, unreadable response).</summary>
    Failed,

    /// <summary>The model answered, but with no readable verdict: treated as no answer.</summary>
    Unparseable,

    /// <summary>Not asked: the tenant's per-minute budget is spent.</summary>
    BudgetExhausted,

    /// <summary>Not asked: too many shadow self-predictions are already in flight.</summary>
    Overloaded,
}

/// <summary>The model's prediction of its own refusal, or why there is none.</summary>
public sealed record SelfPredictionResult(SelfPredictionStatus Status, double? RefusalProbability, TimeSpan Duration, bool FromCache)
{
    public bool HasVerdict => Status == SelfPredictionStatus.Answered && RefusalProbability is not null;

    public bool WouldRefuse => RefusalProbability >= 0.5;

    /// <summary>The probability of the predicted answer (≥ 0.5).</summary>
    public double? Confidence => RefusalProbability is { } p ? Math.Max(p, 1 - p) : null;

    /// <summary>A failure of the cascade (as opposed to a deliberate skip), which the fail mode decides on.</summary>
    public bool IsFailure => Status is SelfPredictionStatus.Timeout or SelfPredictionStatus.Failed or SelfPredictionStatus.Unparseable;

    /// <summary>The value of <c>x-refusalgate-self-prediction</c> and of metric labels.</summary>
    public string WireName => Status switch
    {
        SelfPredictionStatus.Answered => WouldRefuse ? "refuse" : "comply",
        SelfPredictionStatus.Timeout => "timeout",
        SelfPredictionStatus.Failed => "error",
        SelfPredictionStatus.Unparseable => "unparseable",
        SelfPredictionStatus.BudgetExhausted => "budget_exhausted",
        _ => "overloaded",
    };

    public static SelfPredictionResult Skipped(SelfPredictionStatus status) => new(status, null, TimeSpan.Zero, FromCache: false);
}
