namespace RefusalGate.Inference.Runtime;

/// <summary>Opens model sessions; the same path always yields the same shared session.</summary>
public interface IInferenceSessionFactory
{
    /// <param name="modelPath">The .onnx file.</param>
    /// <param name="buildHint">Told to the operator when the file is missing, e.g. which script builds it.</param>
    /// <param name="intraOpThreads">
    /// Overrides the factory's intra-op thread count for this model (the first call for a path decides), e.g. 1 for a
    /// small head: a second multi-threaded pool would spin against the encoder's for the two cores.
    /// </param>
    IInferenceSession GetOrCreate(string modelPath, string buildHint, int? intraOpThreads = null);
}
