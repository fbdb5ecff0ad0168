namespace RefusalGate.Gateway.Observation;

/// <summary>
/// A request whose response has been sent and now waits for its record, and to be judged in the background unless
/// <see cref="Judge"/> is false (the detector is off, the detector queue was full, a policy answered, or the client left
/// before the gate had decided). It holds the gate's outcome (<see cref="GatedRequest"/>), never the request itself.
/// </summary>
internal sealed record PendingObservation(
    GatedRequest Gate,
    int StatusCode,
    ResponseCopy Copy,
    bool Aborted,
    TimeSpan UpstreamDuration,
    bool Judge = true)
{
    /// <summary>The status recorded for a client that left before an answer (nginx's 499, "client closed request"): nothing was sent.</summary>
    public const int ClientClosedRequest = 499;
}
