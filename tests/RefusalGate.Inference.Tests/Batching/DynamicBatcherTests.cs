using System.Collections.Concurrent;
using RefusalGate.Inference.Batching;

namespace RefusalGate.Inference.Tests.Batching;

public sealed class DynamicBatcherTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Coalesces_requests_that_arrive_while_a_batch_runs()
    {
        var processor = new RecordingProcessor(holdFirstBatch: true);
        await using var batcher = new DynamicBatcher<int, int>(processor, new DynamicBatcherSettings(8, TimeSpan.Zero));

        var first = batcher.EnqueueAsync(0).AsTask();
        processor.FirstBatchEntered.Wait(Generous).ShouldBeTrue();
        var rest = Enumerable.Range(1, 5).Select(i => batcher.EnqueueAsync(i).AsTask()).ToArray();
        processor.ReleaseFirstBatch();

        (await first.WaitAsync(Generous)).ShouldBe(0);
        (await Task.WhenAll(rest).WaitAsync(Generous)).ShouldBe([10, 20, 30, 40, 50]);
        processor.Batches.ShouldBe([[0], [1, 2, 3, 4, 5]]);
    }

    [Fact]
    public async Task Never_exceeds_the_max_batch_size_and_keeps_order()
    {
        var processor = new RecordingProcessor(holdFirstBatch: true);
        await using var batcher = new DynamicBatcher<int, int>(processor, new DynamicBatcherSettings(4, TimeSpan.Zero));

        var first = batcher.EnqueueAsync(0).AsTask();
        processor.FirstBatchEntered.Wait(Generous).ShouldBeTrue();
        var rest = Enumerable.Range(1, 10).Select(i => batcher.EnqueueAsync(i).AsTask()).ToArray();
        processor.ReleaseFirstBatch();
        await Task.WhenAll(rest.Append(first)).WaitAsync(Generous);

        processor.Batches.ShouldBe([[0], [1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
        rest.Select(t => t.Result).ShouldBe(Enumerable.Range(1, 10).Select(i => i * 10));
    }

    [Fact]
    public async Task Holds_a_lone_request_until_the_max_delay_then_runs_it_alone()
    {
        var processor = new RecordingProcessor();
        await using var batcher = new DynamicBatcher<int, int>(processor, new DynamicBatcherSettings(100, TimeSpan.FromMilliseconds(20)));

        (await batcher.EnqueueAsync(7).AsTask().WaitAsync(Generous)).ShouldBe(70);

        processor.Batches.ShouldBe([[7]]);
    }

    [Fact]
    public async Task With_a_delay_requests_wait_for_each_other_and_a_full_batch_goes_at_once()
    {
        var processor = new RecordingProcessor();
        // An hour-long delay: the batch can only complete because it fills up.
        await using var batcher = new DynamicBatcher<int, int>(processor, new DynamicBatcherSettings(3, TimeSpan.FromHours(1)));

        var tasks = new[] { batcher.EnqueueAsync(1).AsTask(), batcher.EnqueueAsync(2).AsTask(), batcher.EnqueueAsync(3).AsTask() };
        await Task.WhenAll(tasks).WaitAsync(Generous);

        processor.Batches.ShouldBe([[1, 2, 3]]);
    }

    [Fact]
    public async Task A_failing_batch_fails_only_its_own_requests()
    {
        var processor = new RecordingProcessor(holdFirstBatch: true, failOn: -1);
        await using var batcher = new DynamicBatcher<int, int>(processor, new DynamicBatcherSettings(2, TimeSpan.Zero));

        var first = batcher.EnqueueAsync(0).AsTask();
        processor.FirstBatchEntered.Wait(Generous).ShouldBeTrue();
        var failing = new[] { batcher.EnqueueAsync(-1).AsTask(), batcher.EnqueueAsync(1).AsTask() };
        var fine = batcher.EnqueueAsync(2).AsTask();
        processor.ReleaseFirstBatch();

        (await first.WaitAsync(Generous)).ShouldBe(0);
        foreach (var task in failing)
        {
            await Should.ThrowAsync<InvalidOperationException>(() => task.WaitAsync(Generous));
        }

        (await fine.WaitAsync(Generous)).ShouldBe(20);
    }

    [Fact]
    public async Task A_cancelled_request_is_dropped_from_its_batch()
    {
        var processor = new RecordingProcessor(holdFirstBatch: true);
        await using var batcher = new DynamicBatcher<int, int>(processor, new DynamicBatcherSettings(8, TimeSpan.Zero));
        using var cancellation = new CancellationTokenSource();

        var first = batcher.EnqueueAsync(0).AsTask();
        processor.FirstBatchEntered.Wait(Generous).ShouldBeTrue();
        var cancelled = batcher.EnqueueAsync(1, cancellation.Token).AsTask();
        var kept = batcher.EnqueueAsync(2).AsTask();
        await cancellation.CancelAsync();
        processor.ReleaseFirstBatch();

        await Should.ThrowAsync<OperationCanceledException>(() => cancelled.WaitAsync(Generous));
        (await kept.WaitAsync(Generous)).ShouldBe(20);
        await first.WaitAsync(Generous);
        processor.Batches.ShouldBe([[0], [2]]);
    }

    [Fact]
    public async Task After_dispose_queued_requests_finish_and_new_ones_are_refused()
    {
        var processor = new RecordingProcessor();
        var batcher = new DynamicBatcher<int, int>(processor, new DynamicBatcherSettings(4, TimeSpan.Zero, QueueCapacity: 1));
        var queued = batcher.EnqueueAsync(5).AsTask();

        await batcher.DisposeAsync();

        (await queued.WaitAsync(Generous)).ShouldBe(50);
        await Should.ThrowAsync<ObjectDisposedException>(() => batcher.EnqueueAsync(6).AsTask());
    }

    private sealed class RecordingProcessor(bool holdFirstBatch = false, int? failOn = null) : IBatchProcessor<int, int>
    {
        private readonly ManualResetEventSlim _release = new(!holdFirstBatch);
        private int _calls;

        public ManualResetEventSlim FirstBatchEntered { get; } = new(false);

        public ConcurrentQueue<int[]> BatchQueue { get; } = new();

        public IReadOnlyList<int[]> Batches => [.. BatchQueue];

        public void ReleaseFirstBatch() => _release.Set();

        public void Process(ReadOnlySpan<int> requests, Span<int> results)
        {
            BatchQueue.Enqueue(requests.ToArray());
            if (Interlocked.Increment(ref _calls) == 1)
            {
                FirstBatchEntered.Set();
                _release.Wait();
            }

            for (var i = 0; i < requests.Length; i++)
            {
                if (requests[i] == failOn)
                {
                    throw new InvalidOperationException("processor failure");
                }

                results[i] = requests[i] * 10;
            }
        }
    }
}
