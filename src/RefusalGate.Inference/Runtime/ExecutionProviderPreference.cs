namespace RefusalGate.Inference.Runtime;

/// <summary>Which execution provider to ask for; CUDA falls back to CPU when it cannot be loaded.</summary>
public enum ExecutionProviderPreference
{
    Cpu = 0,
    Cuda,
}
