using RefusalGate.Inference.Hosting;

namespace RefusalGate.Gateway.Health;

/// <summary>Ready once the encoder is loaded and every padding bucket has run once; reports the execution provider.</summary>
internal sealed class ModelReadinessCheck(InferenceReadiness readiness) : IReadinessCheck
{
    public string Name => "models";

    public ReadinessResult Check() => readiness.IsReady
        ? new ReadinessResult(true, $"encoder warmed up on {readiness.ExecutionProvider}")
        : new ReadinessResult(false, readiness.Reason ?? "warming up");
}
