using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Calibration;
using RefusalGate.Gateway.Health;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.Telemetry;
using StackExchange.Redis;

namespace RefusalGate.Gateway.OutcomeLog;

/// <summary>
/// Appends outcomes to a Redis Stream off the request path, in the manner of OpenTelemetry's batch export processor:
/// a bounded in-process buffer, pipelined batches, retry with backoff while Redis is down, and every record that does
/// not fit the buffer dropped and counted — never waited for, never lost silently. Each batch also adds its
/// calibration counts to the hashes all replicas share (<see cref="CalibrationHashes"/>), in the same MULTI/EXEC
/// transaction as its records, so the stream and the shared counts never disagree.
/// </summary>
internal sealed partial class RedisOutcomeWriter(
    IOptions<OutcomeLogOptions> options,
    IOptions<CalibrationOptions> calibration,
    RedisConnection redis,
    GatewayMetrics metrics,
    ILogger<RedisOutcomeWriter> logger) : BackgroundService, IOutcomeSink, IReadinessCheck
{
    private readonly OutcomeLogOptions _options = options.Value;
    private readonly double _highConfidenceThreshold = calibration.Value.HighConfidenceThreshold;
    private readonly ModelLabels _models = new(calibration.Value.MaxModels);
    private readonly Channel<RequestOutcome> _buffer = Channel.CreateBounded<RequestOutcome>(
        new BoundedChannelOptions(options.Value.BufferCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private volatile bool _healthy;
    private bool _everTried;

    public string Name => "outcome-log";

    public int Buffered => _buffer.Reader.Count;

    public ValueTask WriteAsync(RequestOutcome outcome, CancellationToken cancellationToken)
    {
        if (!_buffer.Writer.TryWrite(outcome))
        {
            metrics.OutcomeLogDropped(1);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Never makes the gateway unready: requests keep flowing while Redis is away; the detail says so.</summary>
    public ReadinessResult Check() =>
        new(true, _healthy ? $"redis stream {_options.StreamKey}" : $"redis unreachable, buffering ({Buffered} waiting)");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ObserveOutcomeLogBuffer(() => Buffered);
        var batch = new List<RequestOutcome>(_options.BatchSize);
        while (await _buffer.Reader.WaitToReadAsync(CancellationToken.None))
        {
            await FillBatchAsync(batch);
            await WriteWithRetryAsync(batch, stoppingToken);
            batch.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Drain what is buffered (bounded by the host's shutdown timeout); the container closes the connection.
        _buffer.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    /// <summary>Takes what is buffered, waiting up to the flush interval for a fuller batch.</summary>
    private async Task FillBatchAsync(List<RequestOutcome> batch)
    {
        using var flush = new CancellationTokenSource(_options.FlushInterval);
        try
        {
            while (batch.Count < _options.BatchSize)
            {
                if (_buffer.Reader.TryRead(out var outcome))
                {
                    batch.Add(outcome);
                }
                else if (!await _buffer.Reader.WaitToReadAsync(flush.Token))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (flush.IsCancellationRequested)
        {
        }
    }

    private async Task WriteWithRetryAsync(List<RequestOutcome> batch, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (batch.Count > 0)
        {
            try
            {
                var database = await redis.GetDatabaseAsync();
                var written = await WriteBatchAsync(database, batch);
                metrics.OutcomeLogWritten(written);
                if (batch.Count == 0)
                {
                    MarkHealthy();
                    return;
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                MarkUnhealthy(ex);
            }

            if (stoppingToken.IsCancellationRequested && _buffer.Reader.Completion.IsCompleted)
            {
                // Shutting down with Redis away: what cannot be written now is dropped, and counted.
                metrics.OutcomeLogDropped(batch.Count);
                return;
            }

            metrics.OutcomeLogRetried(batch.Count);
            await Task.Delay(delay, CancellationToken.None);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
        }
    }

    /// <summary>
    /// One transaction: an XADD per record plus the batch's calibration increments. All of it is applied or none, so a
    /// failed batch is retried whole without counting anything twice (only a connection lost after EXEC was sent leaves
    /// the outcome unknown; the retry then writes the batch again — at least once, never silently lost).
    /// </summary>
    private async Task<int> WriteBatchAsync(IDatabase database, List<RequestOutcome> batch)
    {
        var transaction = database.CreateTransaction();
        var operations = new List<Task>(batch.Count + 64);
        var table = new CalibrationTable(_highConfidenceThreshold);
        foreach (var outcome in batch)
        {
            operations.Add(transaction.StreamAddAsync(_options.StreamKey, OutcomeRecordFields.From(outcome), maxLength: _options.MaxStreamLength, useApproximateMaxLength: true));
            foreach (var score in CalibrationSources.Of(outcome))
            {
                table.Add(score with { Model = _models.Label(score.Model) });
            }
        }

        CalibrationHashes.QueueIncrements(transaction, _options.AggregateKeyPrefix, table, operations);
        if (!await transaction.ExecuteAsync())
        {
            throw new RedisException("The outcome transaction was not committed.");
        }

        await Task.WhenAll(operations);
        var written = batch.Count;
        batch.Clear();
        return written;
    }

    private void MarkHealthy()
    {
        if (!_healthy)
        {
            _healthy = true;
            LogConnected(_options.StreamKey);
        }
    }

    private void MarkUnhealthy(Exception ex)
    {
        if (_healthy || !_everTried)
        {
            LogUnavailable(ex.GetType().Name);
        }

        _healthy = false;
        _everTried = true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outcome log: writing to Redis stream {StreamKey}.")]
    private partial void LogConnected(string streamKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outcome log: Redis is unavailable ({Error}); buffering outcomes and retrying.")]
    private partial void LogUnavailable(string error);
}
