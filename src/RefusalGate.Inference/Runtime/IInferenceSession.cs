namespace RefusalGate.Inference.Runtime;

/// <summary>
/// The narrow surface the gateway needs from an inference engine: metadata and a synchronous run into
/// pre-allocated outputs. ONNX Runtime implements it today; another engine can replace it.
/// Implementations are shared per model and must allow concurrent <see cref="Run"/> calls.
/// </summary>
public interface IInferenceSession : IDisposable
{
    string ModelPath { get; }

    /// <summary>The execution provider actually in use ("CPU" or "CUDA"), after any fallback.</summary>
    string ExecutionProvider { get; }

    IReadOnlyList<TensorMetadata> Inputs { get; }

    IReadOnlyList<TensorMetadata> Outputs { get; }

    /// <summary>Runs the model; every output must be bound to a buffer of its exact shape.</summary>
    void Run(ReadOnlySpan<TensorBinding> inputs, ReadOnlySpan<TensorBinding> outputs);
}
