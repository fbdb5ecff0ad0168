namespace RefusalGate.Inference.Batching;

/// <summary>
/// Micro-batching limits, after Triton's dynamic batcher.
/// </summary>
/// <param name="MaxBatchSize">Most requests one batch runs.</param>
/// <param name="MaxQueueDelay">
/// Longest a request is held back to let a batch fill (measured from its enqueue time). Zero means
/// never hold: a batch takes whatever queued up while the previous one ran.
/// </param>
/// <param name="QueueCapacity">Requests that may wait; callers beyond it wait to enqueue (back-pressure).</param>
/// <param name="Workers">Batches that may run at the same time (each on its own worker).</param>
public sealed record DynamicBatcherSettings(int MaxBatchSize, TimeSpan MaxQueueDelay, int QueueCapacity = 4096, int Workers = 1);
