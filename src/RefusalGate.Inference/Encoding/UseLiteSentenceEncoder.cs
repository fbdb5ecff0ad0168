using RefusalGate.Inference.Batching;
using RefusalGate.Inference.Runtime;
using RefusalGate.Inference.Tokenization;

namespace RefusalGate.Inference.Encoding;

/// <summary>
/// Universal Sentence Encoder lite over ONNX Runtime: 512-d, L2-normalised embeddings of English text.
/// Concurrent callers are coalesced by a <see cref="DynamicBatcher{TRequest, TResult}"/> into padded batches.
/// </summary>
/// <remarks>
/// Defined answers for awkward input:
/// <list type="bullet">
/// <item>Surrounding whitespace (<see cref="char.IsWhiteSpace(char)"/>) is stripped first.</item>
/// <item>Empty or whitespace-only text encodes as a zero-length sequence: a fixed, finite unit vector
/// (normalise(tanh(b)) of the final layer), the same for every empty input.</item>
/// <item>Lone UTF-16 surrogates become U+FFFD, which, like every symbol the vocabulary lacks
/// (most non-Latin scripts, emoji), is the unknown token; runs of unknowns collapse to one.</item>
/// <item>Text longer than 128 tokens: see <see cref="LongInputWindows"/> (windows, max-pooled, re-normalised;
/// at most 16 windows, so a 100k-character prompt costs at most 16 window runs).</item>
/// </list>
/// Non-English text is encoded like any other text; the model was trained on English, so such
/// embeddings carry less meaning (callers may want a lower confidence for them).
/// </remarks>
public sealed class UseLiteSentenceEncoder : ISentenceEncoder, IAsyncDisposable
{
    private readonly IInferenceSession _session;
    private readonly UseSentencePieceTokenizer _tokenizer;
    private readonly UseLiteBatchProcessor _processor;
    private readonly DynamicBatcher<TokenWindow, float[]> _batcher;
    private readonly LengthBuckets _buckets;
    private readonly int _maxBatchSize;

    public UseLiteSentenceEncoder(
        IInferenceSession session,
        UseSentencePieceTokenizer tokenizer,
        DynamicBatcherSettings batching,
        LengthBuckets buckets)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(batching);
        ArgumentNullException.ThrowIfNull(buckets);
        _session = session;
        _tokenizer = tokenizer;
        _buckets = buckets;
        _maxBatchSize = batching.MaxBatchSize;
        _processor = new UseLiteBatchProcessor(session, buckets);
        _batcher = new DynamicBatcher<TokenWindow, float[]>(_processor, batching);
    }

    public int Dimension => UseLiteModelFiles.Dimension;

    /// <summary>Execution provider the session runs on ("CPU" or "CUDA").</summary>
    public string ExecutionProvider => _session.ExecutionProvider;

    public async ValueTask<float[]> EncodeAsync(string text, CancellationToken cancellationToken)
    {
        var ids = Tokenize(text);
        var windows = LongInputWindows.Plan(ids.Length);
        if (windows.Count == 1)
        {
            return await _batcher.EnqueueAsync(new TokenWindow(ids, 0, ids.Length), cancellationToken).ConfigureAwait(false);
        }

        var pending = new Task<float[]>[windows.Count];
        for (var i = 0; i < windows.Count; i++)
        {
            pending[i] = _batcher.EnqueueAsync(new TokenWindow(ids, windows[i].Start, windows[i].Length), cancellationToken).AsTask();
        }

        return await MaxPoolAsync(pending, 0, pending.Length).ConfigureAwait(false);
    }

    public async ValueTask<float[][]> EncodeBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(texts);

        // Enqueue every window of every text before awaiting any, so they share batches.
        var firstWindow = new int[texts.Count + 1];
        var pending = new List<Task<float[]>>(texts.Count);
        for (var t = 0; t < texts.Count; t++)
        {
            var ids = Tokenize(texts[t]);
            firstWindow[t] = pending.Count;
            foreach (var (start, length) in LongInputWindows.Plan(ids.Length))
            {
                pending.Add(_batcher.EnqueueAsync(new TokenWindow(ids, start, length), cancellationToken).AsTask());
            }
        }

        firstWindow[texts.Count] = pending.Count;
        var all = pending.ToArray();
        var embeddings = new float[texts.Count][];
        for (var t = 0; t < texts.Count; t++)
        {
            var count = firstWindow[t + 1] - firstWindow[t];
            embeddings[t] = count == 1
                ? await all[firstWindow[t]].ConfigureAwait(false)
                : await MaxPoolAsync(all, firstWindow[t], count).ConfigureAwait(false);
        }

        return embeddings;
    }

    /// <summary>The token ids the encoder sees for <paramref name="text"/> (whitespace-trimmed, not windowed).</summary>
    public int[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.Encode(text.Trim());
    }

    /// <summary>
    /// Runs every length bucket once at batch size 1 and at the maximum batch size, so the first real
    /// requests do not pay for ONNX Runtime's lazy kernel and memory-arena set-up.
    /// </summary>
    public void WarmUp()
    {
        foreach (var bucket in _buckets.Lengths)
        {
            var ids = new int[bucket];
            foreach (var batch in new[] { 1, _maxBatchSize })
            {
                var windows = Enumerable.Repeat(new TokenWindow(ids, 0, bucket), batch).ToArray();
                _processor.Process(windows, new float[batch][]);
            }
        }
    }

    public ValueTask DisposeAsync() => _batcher.DisposeAsync();

    private static async ValueTask<float[]> MaxPoolAsync(Task<float[]>[] pending, int first, int count)
    {
        float[]? pooled = null;
        for (var i = first; i < first + count; i++)
        {
            var vector = await pending[i].ConfigureAwait(false);
            if (pooled is null)
            {
                pooled = (float[])vector.Clone();
                continue;
            }

            for (var d = 0; d < pooled.Length; d++)
            {
                pooled[d] = Math.Max(pooled[d], vector[d]);
            }
        }

        var result = pooled!;
        double squared = 0;
        foreach (var value in result)
        {
            squared += (double)value * value;
        }

        var norm = Math.Max(Math.Sqrt(squared), 1e-12);
        for (var d = 0; d < result.Length; d++)
        {
            result[d] = (float)(result[d] / norm);
        }

        return result;
    }
}
