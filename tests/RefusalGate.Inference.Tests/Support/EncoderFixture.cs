using Microsoft.Extensions.Logging.Abstractions;
using RefusalGate.Inference.Batching;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Runtime;
using RefusalGate.Inference.Tokenization;

namespace RefusalGate.Inference.Tests.Support;

/// <summary>One real encoder (ONNX Runtime, built model) shared by the tests of a collection.</summary>
public sealed class EncoderFixture : IAsyncLifetime
{
    public OnnxRuntimeSession Session { get; private set; } = null!;

    public UseSentencePieceTokenizer Tokenizer { get; private set; } = null!;

    public UseLiteSentenceEncoder Encoder { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Session = new OnnxRuntimeSession(
            Path.Combine(RepoPaths.EncoderDirectory, UseLiteModelFiles.ModelFileName),
            new InferenceSessionSettings(IntraOpThreads: 1),
            NullLogger.Instance,
            UseLiteModelFiles.BuildHint);
        Tokenizer = UseSentencePieceTokenizer.FromVocabularyFile(Path.Combine(RepoPaths.EncoderDirectory, UseLiteModelFiles.VocabularyFileName));
        Encoder = new UseLiteSentenceEncoder(
            Session, Tokenizer, new DynamicBatcherSettings(MaxBatchSize: 16, MaxQueueDelay: TimeSpan.Zero), new LengthBuckets([16, 32, 64, 128], 128));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Encoder.DisposeAsync();
        Session.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class EncoderTestGroup : ICollectionFixture<EncoderFixture>
{
    public const string Name = "encoder";
}
