using RefusalGate.Gateway.Gate;

namespace RefusalGate.Gateway.Observation;

/// <summary>A forwarded request whose response has been sent and now waits to be judged in the background.</summary>
internal sealed record PendingObservation(
    GateContext Gate,
    int StatusCode,
    bool IsEventStream,
    byte[] Body,
    bool Truncated,
    bool Aborted,
    TimeSpan UpstreamDuration,
    bool Judge = true);
