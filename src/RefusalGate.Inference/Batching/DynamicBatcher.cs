using System.Threading.Channels;

namespace RefusalGate.Inference.Batching;

/// <summary>
/// Dynamic micro-batcher: concurrent callers enqueue single requests; workers coalesce them into
/// batches of at most <see cref="DynamicBatcherSettings.MaxBatchSize"/> and run them together.
/// </summary>
/// <remarks>
/// Latency bound: a worker dispatches as soon as the batch is full, or when the OLDEST request in it
/// has waited <see cref="DynamicBatcherSettings.MaxQueueDelay"/>, or at once when the delay is zero,
/// so batching adds at most the max delay to any request on top of waiting for a busy worker and its
/// own compute. Requests are answered in enqueue order within a batch; a cancelled request is dropped
/// from its batch; a processor exception fails only the requests of that batch.
/// </remarks>
public sealed class DynamicBatcher<TRequest, TResult> : IAsyncDisposable
{
    private readonly Channel<WorkItem> _queue;
    private readonly IBatchProcessor<TRequest, TResult> _processor;
    private readonly DynamicBatcherSettings _settings;
    private readonly TimeProvider _time;
    private readonly Task[] _workers;

    public DynamicBatcher(IBatchProcessor<TRequest, TResult> processor, DynamicBatcherSettings settings, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(processor);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.QueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxQueueDelay, TimeSpan.Zero);
        _processor = processor;
        _settings = settings;
        _time = timeProvider ?? TimeProvider.System;
        _queue = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(settings.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = settings.Workers == 1,
            SingleWriter = false,
        });
        _workers = Enumerable.Range(0, settings.Workers).Select(_ => Task.Run(WorkerLoopAsync)).ToArray();
    }

    public ValueTask<TResult> EnqueueAsync(TRequest request, CancellationToken cancellationToken = default)
    {
        var item = new WorkItem(request, _time.GetTimestamp(), cancellationToken);
        var written = _queue.Writer.TryWrite(item);
        return written ? new ValueTask<TResult>(item.Completion.Task) : EnqueueSlowAsync(item, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_workers).ConfigureAwait(false);
    }

    private async ValueTask<TResult> EnqueueSlowAsync(WorkItem item, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            throw new ObjectDisposedException("The batcher has been disposed.", e);
        }

        return await item.Completion.Task.ConfigureAwait(false);
    }

    private async Task WorkerLoopAsync()
    {
        var batch = new List<WorkItem>(_settings.MaxBatchSize);
        var requests = new TRequest[_settings.MaxBatchSize];
        var results = new TResult[_settings.MaxBatchSize];
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            if (!reader.TryRead(out var first))
            {
                continue; // another worker took it
            }

            batch.Add(first);
            await FillAsync(batch, first.EnqueuedAt).ConfigureAwait(false);
            Execute(batch, requests, results);
        }
    }

    private async ValueTask FillAsync(List<WorkItem> batch, long oldestEnqueuedAt)
    {
        var reader = _queue.Reader;
        while (batch.Count < _settings.MaxBatchSize)
        {
            if (reader.TryRead(out var next))
            {
                batch.Add(next);
                continue;
            }

            var remaining = _settings.MaxQueueDelay - _time.GetElapsedTime(oldestEnqueuedAt);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            using var timeout = new CancellationTokenSource(remaining, _time);
            try
            {
                if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                {
                    return; // completed: run what we have
                }
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void Execute(List<WorkItem> batch, TRequest[] requests, TResult[] results)
    {
        var count = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var item = batch[i];
            if (!item.Completion.Task.IsCompleted)
            {
                batch[count] = item;
                requests[count++] = item.Request;
            }
        }

        if (count == 0)
        {
            return;
        }

        try
        {
            _processor.Process(requests.AsSpan(0, count), results.AsSpan(0, count));
            for (var i = 0; i < count; i++)
            {
                batch[i].Complete(results[i]);
            }
        }
        catch (Exception e)
        {
            for (var i = 0; i < count; i++)
            {
                batch[i].Fail(e);
            }
        }
        finally
        {
            Array.Clear(requests, 0, count);
            Array.Clear(results, 0, count);
        }
    }

    private sealed class WorkItem
    {
        private readonly CancellationTokenRegistration _registration;

        public WorkItem(TRequest request, long enqueuedAt, CancellationToken cancellationToken)
        {
            Request = request;
            EnqueuedAt = enqueuedAt;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(
                    static (state, token) => ((TaskCompletionSource<TResult>)state!).TrySetCanceled(token), Completion);
            }
        }

        public TRequest Request { get; }

        public long EnqueuedAt { get; }

        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Complete(TResult result)
        {
            _registration.Dispose();
            Completion.TrySetResult(result);
        }

        public void Fail(Exception exception)
        {
            _registration.Dispose();
            Completion.TrySetException(exception);
        }
    }
}
