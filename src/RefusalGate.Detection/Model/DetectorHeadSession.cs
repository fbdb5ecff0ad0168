using Microsoft.ML.OnnxRuntime;

namespace RefusalGate.Detection.Model;

/// <summary>
/// The small ONNX head over (first-sentence embedding, rest embedding, lexical cues). One shared session: ONNX Runtime
/// sessions are safe to run concurrently.
/// </summary>
internal sealed class DetectorHeadSession : IDisposable
{
    private static readonly string[] InputNames = ["first_embedding", "rest_embedding", "cues"];
    private static readonly string[] OutputNames = ["kind_probabilities", "refusal_probability"];
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    public DetectorHeadSession(string headPath, int cueCount)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        try
        {
            _session = new InferenceSession(headPath, options);
        }
        catch (OnnxRuntimeException exception)
        {
            throw new DetectorModelException($"Cannot load the detector head {headPath}: {exception.Message}", exception);
        }

        CueCount = cueCount;
        var cueInput = _session.InputMetadata["cues"].Dimensions;
        if (cueInput.Length != 2 || cueInput[1] != cueCount)
        {
            throw new DetectorModelException(
                $"Detector head {headPath} expects {cueInput.LastOrDefault()} cue features, lexical-cues.json gives {cueCount}. Rebuild with onnx-models/training/detector/train.sh.");
        }
    }

    public int CueCount { get; }

    /// <summary>Runs the head on one response; returns the kind probabilities and the calibrated refusal probability.</summary>
    public (float[] KindProbabilities, float RefusalProbability) Run(float[] firstEmbedding, float[] restEmbedding, float[] cues)
    {
        using var first = OrtValue.CreateTensorValueFromMemory(firstEmbedding, [1, firstEmbedding.Length]);
        using var rest = OrtValue.CreateTensorValueFromMemory(restEmbedding, [1, restEmbedding.Length]);
        using var cueValue = OrtValue.CreateTensorValueFromMemory(cues, [1, cues.Length]);
        using var outputs = _session.Run(_runOptions, InputNames, [first, rest, cueValue], OutputNames);
        var kinds = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var refusal = outputs[1].GetTensorDataAsSpan<float>()[0];
        return (kinds, refusal);
    }

    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
