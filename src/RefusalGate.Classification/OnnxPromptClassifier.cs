using RefusalGate.Classification.Manifest;
using RefusalGate.Classification.Prediction;
using RefusalGate.Inference.Batching;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Heads;
using RefusalGate.Inference.Runtime;

namespace RefusalGate.Classification;

/// <summary>
/// The prompt refusal classifier: USE-lite sentence embedding, then the ONNX head named by the manifest
/// (calibration and the out-of-distribution shrink live inside the head graph, so this class only maps
/// outputs to a <see cref="PromptPrediction"/>). Thread-safe; the encoder batches concurrent callers, and so does
/// the head: under load one head run serves a whole batch instead of one run per request.
/// </summary>
public sealed class OnnxPromptClassifier : IPromptClassifier, IAsyncDisposable
{
    // Never wait for company (like the encoder's default): requests that arrive while the head runs form the next batch.
    private static readonly DynamicBatcherSettings HeadBatching = new(MaxBatchSize: 64, MaxQueueDelay: TimeSpan.Zero);

    private readonly ISentenceEncoder _encoder;
    private readonly OnnxHead _head;
    private readonly string _embeddingInput;
    private readonly string _refusalOutput;
    private readonly string _categoryOutput;
    private readonly PromptPredictionFactory _factory;
    private readonly DynamicBatcher<float[], PromptPrediction> _headBatcher;

    public OnnxPromptClassifier(ISentenceEncoder encoder, IInferenceSessionFactory sessions, LoadedClassifierManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(manifest);
        var m = manifest.Manifest;
        _encoder = encoder;
        // One thread: the head is a few small matrix products, and its own thread pool would spin against the encoder's.
        _head = new OnnxHead(sessions.GetOrCreate(manifest.HeadPath, ClassifierManifestLoader.RebuildHint, intraOpThreads: 1));
        _embeddingInput = m.EmbeddingInput;
        _refusalOutput = m.Outputs.RefusalProbability;
        _categoryOutput = m.Outputs.CategoryProbabilities;
        CheckShapes(manifest, encoder.Dimension);
        _factory = new PromptPredictionFactory(m.Categories, m.DecisionThreshold);
        _headBatcher = new DynamicBatcher<float[], PromptPrediction>(new HeadBatch(this), HeadBatching);
        Manifest = manifest;
    }

    public LoadedClassifierManifest Manifest { get; }

    public async ValueTask<PromptPrediction> ClassifyAsync(string prompt, CancellationToken cancellationToken)
    {
        var embedding = await _encoder.EncodeAsync(prompt ?? string.Empty, cancellationToken).ConfigureAwait(false);
        return await _headBatcher.EnqueueAsync(embedding, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Classifies many prompts with one encoder batch and one head run (offline evaluation, warm-up).</summary>
    public async ValueTask<IReadOnlyList<PromptPrediction>> ClassifyBatchAsync(IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0)
        {
            return [];
        }

        var embeddings = await _encoder.EncodeBatchAsync(prompts, cancellationToken).ConfigureAwait(false);
        return Predict(embeddings);
    }

    /// <summary>Stops the head's batcher (like the encoder, the classifier is disposed asynchronously).</summary>
    public ValueTask DisposeAsync() => _headBatcher.DisposeAsync();

    private PromptPrediction[] Predict(float[][] embeddings)
    {
        var outputs = _head.Run(new Dictionary<string, IReadOnlyList<float[]>>(StringComparer.Ordinal) { [_embeddingInput] = embeddings });
        var refusal = outputs[_refusalOutput];
        var categories = outputs[_categoryOutput];
        var predictions = new PromptPrediction[embeddings.Length];
        for (var i = 0; i < predictions.Length; i++)
        {
            predictions[i] = _factory.Create(refusal[i][0], categories[i]);
        }

        return predictions;
    }

    private void CheckShapes(LoadedClassifierManifest manifest, int encoderDimension)
    {
        string? problem = null;
        var inputIndex = IndexOf(_head.Inputs, _embeddingInput);
        var refusalIndex = IndexOf(_head.Outputs, _refusalOutput);
        var categoryIndex = IndexOf(_head.Outputs, _categoryOutput);
        if (inputIndex < 0 || _head.Inputs.Count != 1)
        {
            problem = $"it must have exactly one input named '{_embeddingInput}'";
        }
        else if (_head.InputRowSizes[inputIndex] != encoderDimension)
        {
            problem = $"its input takes {_head.InputRowSizes[inputIndex]} values per row but the encoder produces {encoderDimension}";
        }
        else if (refusalIndex < 0 || _head.OutputRowSizes[refusalIndex] != 1)
        {
            problem = $"it needs an output '{_refusalOutput}' with one value per row";
        }
        else if (categoryIndex < 0 || _head.OutputRowSizes[categoryIndex] != manifest.Manifest.Categories.Count)
        {
            problem = $"it needs an output '{_categoryOutput}' with {manifest.Manifest.Categories.Count} values per row (one per manifest category)";
        }

        if (problem is not null)
        {
            throw new ClassifierManifestException(
                $"Classifier head '{manifest.HeadPath}' does not match '{manifest.ManifestPath}': {problem}. {ClassifierManifestLoader.RebuildHint}");
        }
    }

    private static int IndexOf(IReadOnlyList<TensorMetadata> tensors, string name)
    {
        for (var i = 0; i < tensors.Count; i++)
        {
            if (tensors[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>One head run for a batch of embeddings gathered by <see cref="_headBatcher"/>.</summary>
    private sealed class HeadBatch(OnnxPromptClassifier classifier) : IBatchProcessor<float[], PromptPrediction>
    {
        public void Process(ReadOnlySpan<float[]> requests, Span<PromptPrediction> results) =>
            classifier.Predict(requests.ToArray()).CopyTo(results);
    }
}
