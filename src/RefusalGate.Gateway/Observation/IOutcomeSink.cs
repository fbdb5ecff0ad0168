namespace RefusalGate.Gateway.Observation;

/// <summary>Where finished request outcomes go (the in-memory store, the Redis outcome log, ...). Called off the request path.</summary>
public interface IOutcomeSink
{
    ValueTask WriteAsync(RequestOutcome outcome, CancellationToken cancellationToken);
}
