using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Hosting;
using RefusalGate.Inference.Runtime;
using RefusalGate.Inference.Tokenization;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// The response detector's own encoder: a separate ONNX session limited to <see cref="ObservationOptions.DetectorThreads"/>
/// and its own micro-batcher (with <see cref="ObservationOptions.DetectorWorkers"/> workers), so judging finished responses in the background neither queues ahead of a new request's
/// classification nor takes every core from it.
/// </summary>
internal sealed class DetectionEncoder : IAsyncDisposable
{
    private readonly OnnxRuntimeSessionFactory _sessions;

    public DetectionEncoder(
        UseSentencePieceTokenizer tokenizer,
        IOptions<InferenceOptions> inferenceOptions,
        IOptions<ObservationOptions> observationOptions,
        ILogger<OnnxRuntimeSession> logger)
    {
        var settings = inferenceOptions.Value;
        _sessions = new OnnxRuntimeSessionFactory(settings.ToSessionSettings(observationOptions.Value.DetectorThreads), logger);
        Encoder = settings.CreateEncoder(_sessions, tokenizer, batchWorkers: observationOptions.Value.DetectorWorkers);
    }

    public UseLiteSentenceEncoder Encoder { get; }

    public async ValueTask DisposeAsync()
    {
        await Encoder.DisposeAsync();
        _sessions.Dispose();
    }
}
