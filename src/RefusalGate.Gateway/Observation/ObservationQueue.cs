using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Bounded hand-off from the request path to the background judge. Enqueuing never waits: when the queue is full
/// the observation is dropped and counted, so a slow detector can never slow clients down.
/// </summary>
internal sealed class ObservationQueue(IOptions<ObservationOptions> options, GatewayMetrics metrics)
{
    private readonly Channel<PendingObservation> _channel = Channel.CreateBounded<PendingObservation>(
        new BoundedChannelOptions(options.Value.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });

    public ChannelReader<PendingObservation> Reader => _channel.Reader;

    public void Enqueue(PendingObservation observation)
    {
        if (!_channel.Writer.TryWrite(observation))
        {
            metrics.ObservationDropped();
        }
    }

    public void Complete() => _channel.Writer.TryComplete();
}
