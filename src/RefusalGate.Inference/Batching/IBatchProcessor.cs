namespace RefusalGate.Inference.Batching;

/// <summary>Runs one coalesced batch; called by <see cref="DynamicBatcher{TRequest, TResult}"/> on its worker.</summary>
public interface IBatchProcessor<TRequest, TResult>
{
    /// <summary>Fills <paramref name="results"/>[i] with the answer to <paramref name="requests"/>[i].</summary>
    void Process(ReadOnlySpan<TRequest> requests, Span<TResult> results);
}
