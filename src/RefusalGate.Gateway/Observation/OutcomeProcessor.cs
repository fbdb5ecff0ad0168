using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// The background worker: judges each finished response and hands the outcome to every sink, with
/// <see cref="ObservationOptions.DetectorWorkers"/> responses in hand at once (one per detector worker, so that each has
/// work; the sinks take outcomes from several at once).
/// </summary>
internal sealed partial class OutcomeProcessor(
    ObservationQueue queue,
    OutcomeJudge judge,
    IEnumerable<IOutcomeSink> sinks,
    GatewayMetrics metrics,
    IOptions<ObservationOptions> options,
    ILogger<OutcomeProcessor> logger) : BackgroundService
{
    private readonly IOutcomeSink[] _sinks = [.. sinks];

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.DetectorWorkers).Select(_ => JudgeAllAsync()));

    private async Task JudgeAllAsync()
    {
        // Not cancelled by stoppingToken: on shutdown the queue is completed and drained (bounded by the host's
        // shutdown timeout), so responses already sent are still judged and recorded.
        await foreach (var pending in queue.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                var outcome = await judge.JudgeAsync(pending, CancellationToken.None);
                metrics.ResponseObserved(outcome.Observed.ToWireName(), outcome.Model);
                if (outcome.UpstreamDuration is { } upstreamDuration)
                {
                    metrics.UpstreamCall(outcome.Upstream, outcome.Model, GenAiOperation(outcome.Endpoint),
                        upstreamDuration, outcome.PromptTokens, outcome.CompletionTokens);
                }

                if (outcome.DetectorDuration is { } duration)
                {
                    metrics.DetectorDuration(duration);
                }

                foreach (var sink in _sinks)
                {
                    await sink.WriteAsync(outcome, CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One bad response must not stop the judging of the others.
                LogJudgeFailed(pending.Gate.RequestId, ex);
            }
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Complete();
        return base.StopAsync(cancellationToken);
    }

    /// <summary>
    /// The OpenTelemetry GenAI operation name (<c>gen_ai.operation.name</c>): a Responses API call is a chat, as the
    /// conventions and OpenAI's own instrumentation name it.
    /// </summary>
    private static string GenAiOperation(string endpoint) => endpoint == "completions" ? "text_completion" : "chat";

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {RequestId}: judging the response failed.")]
    private partial void LogJudgeFailed(string requestId, Exception exception);
}
