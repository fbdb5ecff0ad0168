namespace RefusalGate.Inference.Hosting;

/// <summary>
/// Whether the encoder is loaded and warmed up, for the gateway's /readyz, and which execution
/// provider it runs on (also a useful metric label).
/// </summary>
public sealed class InferenceReadiness
{
    private volatile State _state = new(false, "none", "warming up");

    public bool IsReady => _state.IsReady;

    /// <summary>"CPU" or "CUDA" once loaded; "none" before.</summary>
    public string ExecutionProvider => _state.ExecutionProvider;

    /// <summary>Why the engine is not ready ("warming up" or the failure), null when ready.</summary>
    public string? Reason => _state.Reason;

    public void MarkReady(string executionProvider) => _state = new State(true, executionProvider, null);

    public void MarkFailed(string reason) => _state = new State(false, _state.ExecutionProvider, reason);

    private sealed record State(bool IsReady, string ExecutionProvider, string? Reason);
}
