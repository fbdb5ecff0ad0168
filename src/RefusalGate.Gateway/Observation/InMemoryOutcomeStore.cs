using System.Collections.Concurrent;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// The last outcomes in process memory: the store the demo uses when no Redis is configured, and what tests read.
/// Bounded: the oldest records make room for new ones.
/// </summary>
public sealed class InMemoryOutcomeStore : IOutcomeSink
{
    public const int Capacity = 10_000;

    private readonly ConcurrentQueue<RequestOutcome> _outcomes = new();

    public IReadOnlyCollection<RequestOutcome> Outcomes => _outcomes;

    public RequestOutcome? Find(string requestId) => _outcomes.FirstOrDefault(o => o.RequestId == requestId);

    public ValueTask WriteAsync(RequestOutcome outcome, CancellationToken cancellationToken)
    {
        _outcomes.Enqueue(outcome);
        while (_outcomes.Count > Capacity && _outcomes.TryDequeue(out _))
        {
        }

        return ValueTask.CompletedTask;
    }
}
