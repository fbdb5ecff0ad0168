using RefusalGate.Detection.Features;
using RefusalGate.Detection.Model;
using RefusalGate.Detection.Text;
using RefusalGate.Inference.Encoding;

namespace RefusalGate.Detection;

/// <summary>
/// Detects refusals with the shared sentence encoder plus the detector's own ONNX head. The first sentence(s) are
/// embedded separately from the rest, so an opening refusal is not diluted by a long answer, and lexical cues are
/// added as features. Work is bounded: only the first <c>text.maxChars</c> code points of the manifest are read
/// (2,000 by default), and the encoder sees at most 128 tokens per window of that.
/// </summary>
public sealed class OnnxResponseRefusalDetector : IResponseRefusalDetector, IDisposable
{
    private readonly ISentenceEncoder _encoder;
    private readonly ResponseTextPreparer _preparer;
    private readonly LexicalCueSet _cues;
    private readonly DetectorHeadSession _head;
    private readonly float _threshold;

    private OnnxResponseRefusalDetector(ISentenceEncoder encoder, DetectorModelFiles files)
    {
        _encoder = encoder;
        _preparer = new ResponseTextPreparer(files.TextSettings);
        _cues = LexicalCueSet.Load(files.LexicalCuesPath, files.TextSettings.MaxChars);
        if (!_cues.FeatureNames.SequenceEqual(files.Manifest.CueFeatures, StringComparer.Ordinal))
        {
            throw new DetectorModelException(
                $"{files.LexicalCuesPath} does not give the cue features the manifest's head was trained on. Rebuild with onnx-models/training/detector/train.sh.");
        }

        _head = new DetectorHeadSession(files.HeadPath, _cues.FeatureCount);
        _threshold = files.Manifest.DecisionThreshold;
    }

    /// <summary>Loads and verifies the model in <paramref name="modelDirectory"/>; throws <see cref="DetectorModelException"/> naming a missing or altered file.</summary>
    public static OnnxResponseRefusalDetector Create(ISentenceEncoder encoder, string modelDirectory)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        return new OnnxResponseRefusalDetector(encoder, DetectorModelFiles.Open(modelDirectory));
    }

    public async ValueTask<RefusalDetection> DetectAsync(string response, string? prompt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var prepared = _preparer.Prepare(response);
        if (prepared.IsEmpty)
        {
            return RefusalDetection.EmptyResponse;
        }

        var cues = _cues.Compute(prepared);
        float[] first, rest;
        if (prepared.Rest.Length == 0)
        {
            first = rest = await _encoder.EncodeAsync(prepared.First, cancellationToken);
        }
        else
        {
            var embeddings = await _encoder.EncodeBatchAsync([prepared.First, prepared.Rest], cancellationToken);
            (first, rest) = (embeddings[0], embeddings[1]);
        }

        var (kinds, probability) = _head.Run(first, rest, cues);
        return Decide(prepared, kinds, probability);
    }

    private RefusalDetection Decide(PreparedResponse prepared, float[] kinds, float probability)
    {
        if (probability < _threshold)
        {
            return new RefusalDetection(RefusalKind.Compliance, probability, false, null);
        }

        var kind = kinds[1] > kinds[2] ? RefusalKind.PartialRefusal : RefusalKind.FullRefusal;
        var reason = _cues.ReasonRules.ReasonFor(_cues.Hits(prepared.First), _cues.Hits(prepared.Text));
        return new RefusalDetection(kind, probability, true, reason);
    }

    public void Dispose() => _head.Dispose();
}
