using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Health;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.Telemetry;
using StackExchange.Redis;

namespace RefusalGate.Gateway.OutcomeLog;

/// <summary>
/// Appends outcomes to a Redis Stream off the request path, in the manner of OpenTelemetry's batch export processor:
/// a bounded in-process buffer, pipelined batches, retry with backoff while Redis is down, and every record that does
/// not fit the buffer dropped and counted — never waited for, never lost silently.
/// </summary>
internal sealed partial class RedisOutcomeWriter(
    IOptions<OutcomeLogOptions> options,
    GatewayMetrics metrics,
    ILogger<RedisOutcomeWriter> logger) : BackgroundService, IOutcomeSink, IReadinessCheck
{
    private readonly OutcomeLogOptions _options = options.Value;
    private readonly Channel<RequestOutcome> _buffer = Channel.CreateBounded<RequestOutcome>(
        new BoundedChannelOptions(options.Value.BufferCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private ConnectionMultiplexer? _redis;
    private volatile bool _healthy;

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
        // Drain what is buffered (bounded by the host's shutdown timeout), then close the connection.
        _buffer.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        if (_redis is not null)
        {
            await _redis.CloseAsync();
            _redis.Dispose();
        }
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
                var database = await ConnectAsync();
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

    /// <summary>Pipelines one XADD per record; removes the written ones from the batch and returns how many.</summary>
    private async Task<int> WriteBatchAsync(IDatabase database, List<RequestOutcome> batch)
    {
        var pipeline = database.CreateBatch();
        var writes = batch
            .Select(o => pipeline.StreamAddAsync(_options.StreamKey, OutcomeRecordFields.From(o), maxLength: _options.MaxStreamLength, useApproximateMaxLength: true))
            .ToArray();
        pipeline.Execute();
        try
        {
            await Task.WhenAll(writes);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Some may have succeeded: keep only the failed ones for the retry, so nothing is written twice.
        }

        var remaining = batch.Where((_, i) => !writes[i].IsCompletedSuccessfully).ToList();
        var written = batch.Count - remaining.Count;
        batch.Clear();
        batch.AddRange(remaining);
        if (remaining.Count > 0)
        {
            throw new RedisException($"{remaining.Count} of {remaining.Count + written} outcome writes failed.");
        }

        return written;
    }

    private async Task<IDatabase> ConnectAsync()
    {
        if (_redis is null)
        {
            var configuration = ConfigurationOptions.Parse(_options.Redis!);
            configuration.AbortOnConnectFail = false;
            configuration.ConnectTimeout = 2000;
            configuration.AsyncTimeout = 2000;
            configuration.SyncTimeout = 2000;
            _redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        }

        return _redis.GetDatabase();
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
        if (_healthy || _redis is null)
        {
            LogUnavailable(ex.GetType().Name);
        }

        _healthy = false;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outcome log: writing to Redis stream {StreamKey}.")]
    private partial void LogConnected(string streamKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outcome log: Redis is unavailable ({Error}); buffering outcomes and retrying.")]
    private partial void LogUnavailable(string error);
}
