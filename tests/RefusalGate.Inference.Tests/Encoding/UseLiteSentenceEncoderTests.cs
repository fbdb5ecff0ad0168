using RefusalGate.Inference.Batching;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Runtime;
using RefusalGate.Inference.Tests.Support;

namespace RefusalGate.Inference.Tests.Encoding;

[Collection(EncoderTestGroup.Name)]
public sealed class UseLiteSentenceEncoderTests(EncoderFixture fixture)
{
    private const float Tolerance = 1e-5f;

    [Fact]
    public async Task Matches_the_original_TFjs_model_on_reference_sentences()
    {
        var references = ReferenceVectors.Embeddings().Where(v => v.TfjsFull is not null).ToList();
        references.Count.ShouldBeGreaterThanOrEqualTo(5);

        foreach (var reference in references)
        {
            // Feed the exact reference ids (the longest reference was cut to 128 tokens for TF.js).
            var embedding = await fixture.Encoder.EncodeAsync(reference.Text, CancellationToken.None);
            var direct = RunIds(reference.Ids!);

            MaxAbsDiff(direct, reference.TfjsFull!).ShouldBeLessThan(Tolerance, reference.Text);
            if (reference.Ids!.Length < 128)
            {
                MaxAbsDiff(embedding, reference.TfjsFull!).ShouldBeLessThan(Tolerance, reference.Text);
            }
        }
    }

    [Fact]
    public async Task Long_input_is_windowed_max_pooled_and_renormalised_like_the_reference()
    {
        var reference = ReferenceVectors.Embeddings().Single(v => v.Origin.StartsWith("tfjs windows", StringComparison.Ordinal));

        var embedding = await fixture.Encoder.EncodeAsync(reference.Text, CancellationToken.None);

        fixture.Encoder.Tokenize(reference.Text).Length.ShouldBeGreaterThan(128);
        MaxAbsDiff(embedding[..8], reference.First8).ShouldBeLessThan(Tolerance);
        Norm(embedding).ShouldBe(1.0, 1e-5);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\r\n \u3000")]
    public async Task Empty_or_whitespace_only_text_gets_the_defined_empty_embedding(string text)
    {
        var reference = ReferenceVectors.Embeddings().Single(v => v.Text.Length == 0);

        var embedding = await fixture.Encoder.EncodeAsync(text, CancellationToken.None);

        MaxAbsDiff(embedding[..8], reference.First8).ShouldBeLessThan(Tolerance);
        Norm(embedding).ShouldBe(1.0, 1e-5);
    }

    [Fact]
    public async Task Surrounding_whitespace_is_stripped_before_encoding()
    {
        var plain = await fixture.Encoder.EncodeAsync("How do I bake bread?", CancellationToken.None);
        var padded = await fixture.Encoder.EncodeAsync("  \n\tHow do I bake bread?  \r\n", CancellationToken.None);

        padded.ShouldBe(plain);
    }

    [Fact]
    public async Task Hundred_thousand_characters_encode_to_a_unit_vector_from_at_most_16_windows()
    {
        var text = string.Concat(Enumerable.Repeat("Tell me a story about dragons and castles. ", 2400))[..100_000];

        var embedding = await fixture.Encoder.EncodeAsync(text, CancellationToken.None);

        LongInputWindows.Plan(fixture.Encoder.Tokenize(text).Length).Count.ShouldBe(LongInputWindows.MaxWindows);
        embedding.Length.ShouldBe(512);
        embedding.ShouldAllBe(v => float.IsFinite(v));
        Norm(embedding).ShouldBe(1.0, 1e-5);
    }

    [Theory]
    [InlineData("\U0001F600\U0001F525\U0001F44D\U0001F3FD")]
    [InlineData("\u6211\u600e\u4e48\u505a\u9762\u5305\uff1f")]
    [InlineData("\u0643\u064a\u0641 \u0623\u0635\u0646\u0639 \u0642\u0646\u0628\u0644\u0629\u061f")]
    [InlineData("Wie backe ich Brot?")]
    [InlineData("lone \ud800 surrogate")]
    public async Task Emoji_non_English_and_broken_text_encode_to_finite_unit_vectors(string text)
    {
        var embedding = await fixture.Encoder.EncodeAsync(text, CancellationToken.None);

        embedding.ShouldAllBe(v => float.IsFinite(v));
        Norm(embedding).ShouldBe(1.0, 1e-5);
    }

    [Fact]
    public async Task Invalid_utf8_bytes_have_a_defined_embedding()
    {
        var decoded = System.Text.Encoding.UTF8.GetString(new byte[] { 0x68, 0x69, 0xC3, 0x28, 0xFF });

        var embedding = await fixture.Encoder.EncodeAsync(decoded, CancellationToken.None);
        var same = await fixture.Encoder.EncodeAsync("hi\ufffd(\ufffd", CancellationToken.None);

        embedding.ShouldBe(same);
    }

    [Fact]
    public async Task Batch_results_equal_single_results_in_order()
    {
        string[] texts = ["short", "a considerably longer sentence that lands in a bigger padding bucket than the others do", "", "mid length text here"];

        var batch = await fixture.Encoder.EncodeBatchAsync(texts, CancellationToken.None);

        batch.Length.ShouldBe(texts.Length);
        for (var i = 0; i < texts.Length; i++)
        {
            var single = await fixture.Encoder.EncodeAsync(texts[i], CancellationToken.None);
            MaxAbsDiff(batch[i], single).ShouldBeLessThan(Tolerance, texts[i]);
        }
    }

    [Fact]
    public async Task Concurrent_callers_get_their_own_embeddings()
    {
        var texts = Enumerable.Range(0, 64).Select(i => $"Question number {i}: how do I cook dish {i % 9}?").ToArray();
        var expected = new float[texts.Length][];
        for (var i = 0; i < texts.Length; i++)
        {
            expected[i] = await fixture.Encoder.EncodeAsync(texts[i], CancellationToken.None);
        }

        var concurrent = await Task.WhenAll(texts.Select(t => Task.Run(() => fixture.Encoder.EncodeAsync(t, CancellationToken.None).AsTask())));

        for (var i = 0; i < texts.Length; i++)
        {
            MaxAbsDiff(concurrent[i], expected[i]).ShouldBeLessThan(Tolerance, texts[i]);
        }
    }

    [Fact]
    public void A_batch_runs_once_per_bucket_padded_to_its_longest_row()
    {
        // Lengths 3 and 10 share the 16-token bucket, 40 is alone in the 64-token one.
        int[][] rows = [[.. Enumerable.Range(100, 10)], [.. Enumerable.Range(200, 3)], [.. Enumerable.Range(300, 40)]];
        var recorder = new ShapeRecordingSession(fixture.Session);
        var processor = new UseLiteBatchProcessor(recorder, new LengthBuckets([16, 32, 64, 128], 128));
        var results = new float[rows.Length][];

        processor.Process(rows.Select(ids => new TokenWindow(ids, 0, ids.Length)).ToArray(), results);

        recorder.TokenIdShapes.ShouldBe([[2L, 10L], [1L, 40L]]);
        for (var i = 0; i < rows.Length; i++)
        {
            MaxAbsDiff(results[i], RunIds(rows[i])).ShouldBeLessThan(Tolerance);
        }
    }

    [Fact]
    public void Warm_up_runs_every_bucket_and_reports_the_provider()
    {
        fixture.Encoder.WarmUp();

        fixture.Encoder.ExecutionProvider.ShouldBe(OnnxRuntimeSession.CpuProvider);
        fixture.Encoder.Dimension.ShouldBe(512);
    }

    [Fact]
    public void Session_exposes_the_encoder_contract()
    {
        fixture.Session.Inputs.Select(i => (i.Name, i.ElementKind)).ShouldBe(
            [("token_ids", TensorElementKind.SignedInteger64), ("lengths", TensorElementKind.SignedInteger64)]);
        fixture.Session.Outputs.Single().Shape.ShouldBe([-1L, 512L]);
    }

    private float[] RunIds(int[] ids)
    {
        var processor = new UseLiteBatchProcessor(fixture.Session, new LengthBuckets([16, 32, 64, 128], 128));
        var results = new float[1][];
        processor.Process([new TokenWindow(ids, 0, ids.Length)], results);
        return results[0];
    }

    private static float MaxAbsDiff(float[] a, float[] b)
    {
        a.Length.ShouldBe(b.Length);
        return a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
    }

    private static double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));
}

/// <summary>Passes every run to the real session and remembers the shape of its token ids.</summary>
internal sealed class ShapeRecordingSession(IInferenceSession inner) : IInferenceSession
{
    public List<long[]> TokenIdShapes { get; } = [];

    public string ModelPath => inner.ModelPath;

    public string ExecutionProvider => inner.ExecutionProvider;

    public IReadOnlyList<TensorMetadata> Inputs => inner.Inputs;

    public IReadOnlyList<TensorMetadata> Outputs => inner.Outputs;

    public void Run(ReadOnlySpan<TensorBinding> inputs, ReadOnlySpan<TensorBinding> outputs)
    {
        foreach (var input in inputs)
        {
            if (input.Name == UseLiteModelFiles.TokenIdsInput)
            {
                TokenIdShapes.Add(input.Shape);
            }
        }

        inner.Run(inputs, outputs);
    }

    public void Dispose()
    {
    }
}

public sealed class Int8EncoderTests
{
    [Fact]
    public async Task Quantised_variant_stays_close_to_the_original()
    {
        using var session = new OnnxRuntimeSession(
            Path.Combine(RepoPaths.EncoderDirectory, UseLiteModelFiles.Int8ModelFileName),
            new InferenceSessionSettings(IntraOpThreads: 1),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            UseLiteModelFiles.BuildHint);
        var tokenizer = RefusalGate.Inference.Tokenization.UseSentencePieceTokenizer.FromVocabularyFile(
            Path.Combine(RepoPaths.EncoderDirectory, UseLiteModelFiles.VocabularyFileName));
        await using var encoder = new UseLiteSentenceEncoder(session, tokenizer, new DynamicBatcherSettings(8, TimeSpan.Zero), new LengthBuckets([16, 32, 64, 128], 128));

        foreach (var reference in ReferenceVectors.Embeddings().Where(v => v.TfjsFull is not null && v.Ids!.Length < 128))
        {
            var embedding = await encoder.EncodeAsync(reference.Text, CancellationToken.None);
            var cosine = embedding.Zip(reference.TfjsFull!, (a, b) => (double)a * b).Sum();
            cosine.ShouldBeGreaterThan(0.995, reference.Text);
        }
    }
}
