namespace RefusalGate.Detection;

/// <summary>Says whether an upstream LLM response refused the request.</summary>
public interface IResponseRefusalDetector
{
    /// <summary>Classifies <paramref name="response"/>; <paramref name="prompt"/> is optional context (not used by the current model).</summary>
    ValueTask<RefusalDetection> DetectAsync(string response, string? prompt, CancellationToken cancellationToken);
}
