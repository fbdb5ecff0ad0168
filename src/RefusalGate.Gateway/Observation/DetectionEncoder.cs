using Microsoft.Extensions.Options;
using RefusalGate.Inference.Batching;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Hosting;
using RefusalGate.Inference.Runtime;
using RefusalGate.Inference.Tokenization;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// The response detector's own encoder queue: the same shared ONNX session, but a separate micro-batcher, so background
/// detection of finished responses never makes a new request's classification wait in line behind it.
/// </summary>
internal sealed class DetectionEncoder : IAsyncDisposable
{
    public DetectionEncoder(IInferenceSessionFactory sessions, UseSentencePieceTokenizer tokenizer, IOptions<InferenceOptions> options)
    {
        var settings = options.Value;
        var session = sessions.GetOrCreate(
            Path.Combine(settings.ModelDirectory, UseLiteModelFiles.ModelFileFor(settings.Precision)), UseLiteModelFiles.BuildHint);
        Encoder = new UseLiteSentenceEncoder(
            session,
            tokenizer,
            new DynamicBatcherSettings(settings.MaxBatchSize, settings.MaxQueueDelay, settings.QueueCapacity, Workers: 1),
            new LengthBuckets(settings.EffectiveLengthBuckets, LongInputWindows.WindowTokens));
    }

    public UseLiteSentenceEncoder Encoder { get; }

    public ValueTask DisposeAsync() => Encoder.DisposeAsync();
}
