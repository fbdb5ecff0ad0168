using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Hand-off from the request path to the background judge. Enqueuing never waits. Responses waiting for the detector
/// are bounded by <see cref="ObservationOptions.QueueCapacity"/> (each holds a copy of up to
/// <see cref="ObservationOptions.MaxCapturedBytes"/> of a body, or a stream's text); beyond it a response's copy is dropped and counted, so a slow
/// detector can never slow clients down or grow memory, but the request still goes through as an observation without
/// a copy and gets its record, <c>not_judged</c>: only the judgement is skipped, never the record.
/// </summary>
internal sealed class ObservationQueue(IOptions<ObservationOptions> options, GatewayMetrics metrics)
{
    /// <summary>
    /// Observations (mostly without a copy, and holding the gate's outcome rather than the request, so small: see
    /// <see cref="GatedRequest"/>) that may wait in all, per place for a copy: what waits without a copy is a record in
    /// the making, processed without the detector (microseconds) in the order it came, behind the copies before it, so
    /// this is reached only when responses come more than this many times as fast as the detector judges them, or the
    /// judge is stalled, and then bounds memory; beyond it the record itself is dropped and counted with the outcome
    /// log's drops.
    /// </summary>
    private const int ObservationsPerCopy = 16;

    /// <summary>The backlog's floor, so that a small detector queue does not also make records scarce under bursts.</summary>
    private const int MinBacklog = 4096;

    private readonly int _capacity = options.Value.QueueCapacity;

    private readonly Channel<PendingObservation> _channel = Channel.CreateBounded<PendingObservation>(
        new BoundedChannelOptions(Math.Max(MinBacklog, checked(options.Value.QueueCapacity * ObservationsPerCopy))) { SingleReader = options.Value.DetectorWorkers == 1, FullMode = BoundedChannelFullMode.Wait });

    private int _waitingForDetector;

    public void Enqueue(PendingObservation observation)
    {
        if (observation.Judge && Interlocked.Increment(ref _waitingForDetector) > _capacity)
        {
            Interlocked.Decrement(ref _waitingForDetector);
            metrics.ObservationDropped();
            observation = observation with { Copy = ResponseCopy.None, Judge = false };
        }

        // Fails when the judge is stalled and the backlog is full (or after Complete, at shutdown).
        if (!_channel.Writer.TryWrite(observation))
        {
            if (observation.Judge)
            {
                Interlocked.Decrement(ref _waitingForDetector);
            }

            metrics.OutcomeLogDropped(1);
        }
    }

    /// <summary>Every observation in order; taking one to be judged frees its place for the next response's copy.</summary>
    public async IAsyncEnumerable<PendingObservation> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var observation in _channel.Reader.ReadAllAsync(cancellationToken))
        {
            if (observation.Judge)
            {
                Interlocked.Decrement(ref _waitingForDetector);
            }

            yield return observation;
        }
    }

    public void Complete() => _channel.Writer.TryComplete();
}
