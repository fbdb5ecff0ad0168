namespace RefusalGate.Inference.Runtime;

/// <summary>Opens model sessions; the same path always yields the same shared session.</summary>
public interface IInferenceSessionFactory
{
    /// <param name="modelPath">The .onnx file.</param>
    /// <param name="buildHint">Told to the operator when the file is missing, e.g. which script builds it.</param>
    IInferenceSession GetOrCreate(string modelPath, string buildHint);
}
