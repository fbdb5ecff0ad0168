namespace RefusalGate.Detection;

/// <summary>The detector's verdict on one response.</summary>
/// <param name="Kind">Compliance, partial refusal or full refusal.</param>
/// <param name="RefusalProbability">Calibrated probability that the response is a (partial or full) refusal.</param>
/// <param name="IsRefusal">True for both refusal kinds.</param>
/// <param name="Reason">Why it refused, when derivable ("safety", "capability", "opinion"); null for a compliance.</param>
public sealed record RefusalDetection(RefusalKind Kind, float RefusalProbability, bool IsRefusal, string? Reason)
{
    /// <summary>The verdict for an empty or whitespace-only response: nothing was refused.</summary>
    public static RefusalDetection EmptyResponse { get; } = new(RefusalKind.Compliance, 0f, false, null);
}
