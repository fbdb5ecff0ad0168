using RefusalGate.Classification.Manifest;
using RefusalGate.Classification.Prediction;
using RefusalGate.Classification.Text;
using RefusalGate.Inference.Batching;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Heads;
using RefusalGate.Inference.Runtime;

namespace RefusalGate.Classification;

/// <summary>
/// The prompt refusal classifier: USE-lite sentence embeddings of the prompt and of its tail (where wrappers put the
/// request; a short prompt is its own tail and is encoded once), then the ONNX head named by the manifest
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
    private readonly ClassifierManifestTail? _tail;
    private readonly string _refusalOutput;
    private readonly string _categoryOutput;
    private readonly PromptPredictionFactory _factory;
    private readonly DynamicBatcher<HeadInput, PromptPrediction> _headBatcher;
    private readonly PromptPrediction _emptyPrompt;

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
        _tail = m.Tail;
        _refusalOutput = m.Outputs.RefusalProbability;
        _categoryOutput = m.Outputs.CategoryProbabilities;
        CheckShapes(manifest, encoder.Dimension);
        _factory = new PromptPredictionFactory(m.Categories, m.DecisionThreshold);

        // Nothing to refuse: a model answers an empty message (with a greeting or a question), so an empty or
        // whitespace-only prompt is "comply" with probability 0 and no model run, like an empty response in the detector.
        _emptyPrompt = _factory.Create(0f, new float[m.Categories.Count]);
        _headBatcher = new DynamicBatcher<HeadInput, PromptPrediction>(new HeadBatch(this), HeadBatching);
        Manifest = manifest;
    }

    public LoadedClassifierManifest Manifest { get; }

    public async ValueTask<PromptPrediction> ClassifyAsync(string prompt, CancellationToken cancellationToken)
    {
        var (text, tail) = Plan(prompt);
        if (text.Length == 0)
        {
            return _emptyPrompt;
        }

        HeadInput input;
        if (tail is null)
        {
            var embedding = await _encoder.EncodeAsync(text, cancellationToken).ConfigureAwait(false);
            input = new HeadInput(embedding, embedding);
        }
        else
        {
            var embeddings = await _encoder.EncodeBatchAsync([text, tail], cancellationToken).ConfigureAwait(false);
            input = new HeadInput(embeddings[0], embeddings[1]);
        }

        return await _headBatcher.EnqueueAsync(input, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Classifies many prompts with one encoder batch and one head run (offline evaluation, warm-up).</summary>
    public async ValueTask<IReadOnlyList<PromptPrediction>> ClassifyBatchAsync(IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var plans = prompts.Select(Plan).ToList();
        var texts = plans.Where(p => p.Text.Length > 0).ToList();
        if (texts.Count == 0)
        {
            return [.. plans.Select(_ => _emptyPrompt)];
        }

        // One encoder batch: every non-empty prompt, then the tails of those that have one.
        var toEncode = texts.Select(p => p.Text).ToList();
        var tailRows = new int[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            tailRows[i] = i;
            if (texts[i].Tail is { } tail)
            {
                tailRows[i] = toEncode.Count;
                toEncode.Add(tail);
            }
        }

        var embeddings = await _encoder.EncodeBatchAsync(toEncode, cancellationToken).ConfigureAwait(false);
        var predicted = Predict([.. texts.Select((_, i) => new HeadInput(embeddings[i], embeddings[tailRows[i]]))]);
        var next = 0;
        return [.. plans.Select(p => p.Text.Length == 0 ? _emptyPrompt : predicted[next++])];
    }

    /// <summary>Stops the head's batcher (like the encoder, the classifier is disposed asynchronously).</summary>
    public ValueTask DisposeAsync() => _headBatcher.DisposeAsync();

    /// <summary>What to encode for a prompt: its prepared text, and its tail when the head reads one and the prompt is longer.</summary>
    private (string Text, string? Tail) Plan(string? prompt)
    {
        var text = PromptText.Prepare(prompt ?? string.Empty);
        var tail = _tail is null ? text : PromptTail.Of(text, _tail);
        return (text, ReferenceEquals(tail, text) ? null : tail);
    }

    private PromptPrediction[] Predict(HeadInput[] batch)
    {
        var inputs = new Dictionary<string, IReadOnlyList<float[]>>(StringComparer.Ordinal) { [_embeddingInput] = [.. batch.Select(b => b.Embedding)] };
        if (_tail is not null)
        {
            inputs[_tail.Input] = [.. batch.Select(b => b.TailEmbedding)];
        }

        var outputs = _head.Run(inputs);
        var refusal = outputs[_refusalOutput];
        var categories = outputs[_categoryOutput];
        var predictions = new PromptPrediction[batch.Length];
        for (var i = 0; i < predictions.Length; i++)
        {
            predictions[i] = _factory.Create(refusal[i][0], categories[i]);
        }

        return predictions;
    }

    private void CheckShapes(LoadedClassifierManifest manifest, int encoderDimension)
    {
        string? problem = null;
        string[] expectedInputs = _tail is null ? [_embeddingInput] : [_embeddingInput, _tail.Input];
        var refusalIndex = IndexOf(_head.Outputs, _refusalOutput);
        var categoryIndex = IndexOf(_head.Outputs, _categoryOutput);
        if (_head.Inputs.Count != expectedInputs.Length || expectedInputs.Any(name => IndexOf(_head.Inputs, name) < 0))
        {
            problem = $"its inputs must be exactly {string.Join(" and ", expectedInputs.Select(n => $"'{n}'"))}";
        }
        else if (expectedInputs.FirstOrDefault(name => _head.InputRowSizes[IndexOf(_head.Inputs, name)] != encoderDimension) is { } wrong)
        {
            problem = $"its input '{wrong}' takes {_head.InputRowSizes[IndexOf(_head.Inputs, wrong)]} values per row but the encoder produces {encoderDimension}";
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

    /// <summary>What the head reads for one prompt.</summary>
    private readonly record struct HeadInput(float[] Embedding, float[] TailEmbedding);

    /// <summary>One head run for a batch of embeddings gathered by <see cref="_headBatcher"/>.</summary>
    private sealed class HeadBatch(OnnxPromptClassifier classifier) : IBatchProcessor<HeadInput, PromptPrediction>
    {
        public void Process(ReadOnlySpan<HeadInput> requests, Span<PromptPrediction> results) =>
            classifier.Predict(requests.ToArray()).CopyTo(results);
    }
}
