using RefusalGate.Inference.Batching;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Runtime;
using RefusalGate.Inference.Tokenization;

namespace RefusalGate.Inference.Hosting;

/// <summary>Configuration of the inference engine (section e.g. "Inference"), validated at start-up.</summary>
public sealed class InferenceOptions
{
    /// <summary>Folder holding use-lite.onnx and use-lite.vocab.json; relative paths resolve against the current directory.</summary>
    public string ModelDirectory { get; set; } = "onnx-models/encoder";

    /// <summary>
    /// "int8" (default: use-lite.int8.onnx, int8 weights and activations quantised per token row, 2-3x faster on CPU,
    /// cosine ≥ 0.998 to the original; the heads, trained on fp32 features, keep their figures:
    /// onnx-models/precision-check.json) or "fp32" (use-lite.onnx, matches the original model to 1e-5).
    /// </summary>
    public string Precision { get; set; } = DefaultPrecision;

    /// <summary>The precision used when none is configured (docs/decisions/0004).</summary>
    public const string DefaultPrecision = "int8";

    /// <summary>"cpu" or "cuda". CUDA falls back to CPU with one warning when the provider cannot load.</summary>
    public string ExecutionProvider { get; set; } = "cpu";

    public int CudaDeviceId { get; set; }

    /// <summary>ONNX Runtime intra-op threads per session; 0 lets the runtime use one per core.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>ONNX Runtime inter-op threads (the graphs run sequentially, so 1 suffices).</summary>
    public int InterOpThreads { get; set; } = 1;

    /// <summary>Most token windows one encoder run takes.</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>
    /// Longest a request waits for others to fill its batch. Zero (default): never wait; requests that
    /// arrive while a batch runs form the next one, which gives batching under load at no idle latency.
    /// </summary>
    public TimeSpan MaxQueueDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Encoder runs that may execute at once (each gets the intra-op threads).</summary>
    public int BatchWorkers { get; set; } = 1;

    /// <summary>Windows that may wait for the encoder before callers are held back.</summary>
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>
    /// Length classes a micro-batch is split into (each class one run, padded to its longest row); the
    /// largest must be 128 (the encoder window). Empty means
    /// <see cref="DefaultLengthBuckets"/>. (Empty rather than pre-filled because the configuration binder
    /// appends configured array items to existing ones.)
    /// </summary>
    public int[] LengthBuckets { get; set; } = [];

    public static IReadOnlyList<int> DefaultLengthBuckets { get; } = [16, 32, 64, 128];

    /// <summary>Session settings from these options; <paramref name="intraOpThreads"/> overrides the thread count.</summary>
    public InferenceSessionSettings ToSessionSettings(int? intraOpThreads = null) => new(
        ExecutionProvider == "cuda" ? ExecutionProviderPreference.Cuda : ExecutionProviderPreference.Cpu,
        CudaDeviceId,
        intraOpThreads ?? IntraOpThreads,
        InterOpThreads);

    /// <summary>An encoder over a session from <paramref name="sessions"/>, with its own micro-batcher configured by these options.</summary>
    public UseLiteSentenceEncoder CreateEncoder(IInferenceSessionFactory sessions, UseSentencePieceTokenizer tokenizer, int? batchWorkers = null)
    {
        var session = sessions.GetOrCreate(Path.Combine(ModelDirectory, UseLiteModelFiles.ModelFileFor(Precision)), UseLiteModelFiles.BuildHint);
        return new UseLiteSentenceEncoder(
            session,
            tokenizer,
            new DynamicBatcherSettings(MaxBatchSize, MaxQueueDelay, QueueCapacity, batchWorkers ?? BatchWorkers),
            new LengthBuckets(EffectiveLengthBuckets, LongInputWindows.WindowTokens));
    }

    /// <summary>The configured buckets, or the defaults when none are configured.</summary>
    public IReadOnlyList<int> EffectiveLengthBuckets => LengthBuckets is { Length: > 0 } ? LengthBuckets : DefaultLengthBuckets;
}
