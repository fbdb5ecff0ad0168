namespace RefusalGate.Inference.Runtime;

/// <summary>How sessions are created: provider preference and ONNX Runtime thread pools (0 = runtime default).</summary>
public sealed record InferenceSessionSettings(
    ExecutionProviderPreference Provider = ExecutionProviderPreference.Cpu,
    int CudaDeviceId = 0,
    int IntraOpThreads = 0,
    int InterOpThreads = 1);
