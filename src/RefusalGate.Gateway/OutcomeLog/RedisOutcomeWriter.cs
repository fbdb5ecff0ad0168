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
    private volatile bool _everTried;
    private volatile string? _rejection;
    private volatile string _unavailable = "redis unreachable";
    private volatile int _inFlight;
    private int _dropping;

    public string Name => "outcome-log";

    /// <summary>Records not yet in Redis: the buffer plus the batch being written or retried.</summary>
    public int Buffered => _buffer.Reader.Count + _inFlight;

    public ValueTask WriteAsync(RequestOutcome outcome, CancellationToken cancellationToken)
    {
        if (!_buffer.Writer.TryWrite(outcome))
        {
            metrics.OutcomeLogDropped(1);
            if (Interlocked.Exchange(ref _dropping, 1) == 0)
            {
                // Once per episode (until a batch is written again): the counter has the exact number.
                LogBufferFull(_options.BufferCapacity);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Never makes the gateway unready: requests keep flowing while Redis is away; the detail says so.</summary>
    public ReadinessResult Check() =>
        new(true, _rejection is { } rejection ? $"redis rejects outcome writes ({rejection})"
            : _healthy ? $"redis stream {_options.StreamKey}"
            : _everTried ? $"{_unavailable}, buffering ({Buffered} waiting)"
            : $"redis stream {_options.StreamKey} (nothing written yet)");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        metrics.ObserveOutcomeLogBuffer(() => Buffered);
        var batch = new List<RequestOutcome>(_options.BatchSize);
        while (await _buffer.Reader.WaitToReadAsync(CancellationToken.None))
        {
            await FillBatchAsync(batch);
            _inFlight = batch.Count;
            await WriteWithRetryAsync(batch, stoppingToken);
            batch.Clear();
            _inFlight = 0;
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
                var (written, rejected, rejection) = await WriteBatchAsync(database, batch);
                metrics.OutcomeLogWritten(written);
                if (rejection is not null)
                {
                    // Settled, not retried: a retry would apply the commands that succeeded a second time.
                    metrics.OutcomeLogDropped(rejected);
                    MarkRejecting(rejection, rejected);
                    return;
                }

                MarkHealthy();
                Interlocked.Exchange(ref _dropping, 0);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException or OperationCanceledException)
            {
                // No token is passed to Redis here, so a cancellation is the client giving up on a stalled server.
                MarkUnhealthy(ex);
            }

            if (stoppingToken.IsCancellationRequested)
            {
                // Shutting down with Redis away: this batch and whatever is still buffered cannot be written; they are
                // dropped, counted and logged rather than retried until the host's shutdown timeout cuts them off.
                var dropped = batch.Count;
                batch.Clear();
                while (_buffer.Reader.TryRead(out _))
                {
                    dropped++;
                }

                metrics.OutcomeLogDropped(dropped);
                LogDroppedAtShutdown(dropped);
                return;
            }

            metrics.OutcomeLogRetried(batch.Count);
            await Task.Delay(delay, CancellationToken.None);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
        }
    }

    /// <summary>
    /// One transaction: an XADD per record plus the batch's calibration increments. A transaction that fails or is
    /// refused before it runs (Redis away, a connection lost, EXECABORT) applied nothing, so the caller retries it whole
    /// without counting anything twice (only a connection lost after EXEC was sent leaves the outcome unknown; the retry
    /// then writes the batch again — at least once, never silently lost). Once EXEC has run, every command did, even
    /// those Redis rejected at run time (WRONGTYPE: a key of another type where the stream or a hash should be): the
    /// batch is then settled as it is, its records that were not added reported as rejected with Redis' reason.
    /// </summary>
    private async Task<(int Written, int Rejected, string? Rejection)> WriteBatchAsync(IDatabase database, List<RequestOutcome> batch)
    {
        var transaction = database.CreateTransaction();
        var records = new List<Task<RedisValue>>(batch.Count);
        var operations = new List<Task>(64);
        var table = new CalibrationTable(_highConfidenceThreshold);
        foreach (var outcome in batch)
        {
            records.Add(transaction.StreamAddAsync(_options.StreamKey, OutcomeRecordFields.From(outcome), maxLength: _options.MaxStreamLength, useApproximateMaxLength: true));
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

        Task[] all = [.. records, .. operations];
        try
        {
            await Task.WhenAll(all);
        }
        catch (RedisServerException)
        {
            // Inspected below, command by command.
        }

        var written = records.Count(r => r.IsCompletedSuccessfully);
        var rejection = all.Select(t => t.Exception?.InnerException).OfType<RedisServerException>().FirstOrDefault()?.Message;
        var rejected = batch.Count - written;
        batch.Clear();
        return (written, rejected, rejection);
    }

    private void MarkHealthy()
    {
        _rejection = null;
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
            // A server's reply (OOM, READONLY, NOAUTH, ...) says what to fix; a transport failure's type is enough.
            LogUnavailable(ex is RedisServerException ? $"{ex.GetType().Name}: {ex.Message}" : ex.GetType().Name);
        }

        // Answering but refusing (out of memory, a read-only replica, ...) is not the same fault as unreachable.
        _unavailable = ex is RedisServerException ? $"redis refuses the writes ({ex.Message})" : "redis unreachable";
        _healthy = false;
        _everTried = true;
        _rejection = null;
    }

    private void MarkRejecting(string rejection, int rejected)
    {
        if (_rejection is null)
        {
            // Once per episode (until a batch is written whole again): the dropped counter has the exact number.
            LogRejected(rejected, rejection);
        }

        _rejection = rejection;
        _healthy = false;
        _everTried = true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outcome log: writing to Redis stream {StreamKey}.")]
    private partial void LogConnected(string streamKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outcome log: Redis is unavailable ({Error}); buffering outcomes and retrying.")]
    private partial void LogUnavailable(string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outcome log: Redis ran a batch but rejected some of its commands ({Error}); {Count} of its records were not added to the stream and are dropped, not retried (the rest was applied, so a retry would count it twice). This repeats until the key is fixed; refusalgate_outcome_log_dropped_total counts the records.")]
    private partial void LogRejected(int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outcome log: the buffer of {Capacity} records is full; new outcomes are dropped until Redis takes writes again (refusalgate_outcome_log_dropped_total counts them).")]
    private partial void LogBufferFull(int capacity);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outcome log: shutting down with Redis unavailable; {Count} outcome records were not written and are dropped.")]
    private partial void LogDroppedAtShutdown(int count);
}
