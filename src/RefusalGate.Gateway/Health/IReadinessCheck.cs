namespace RefusalGate.Gateway.Health;

/// <summary>
/// Something that must be ready before the gateway takes traffic (configuration, loaded and warmed-up models, ...).
/// <c>/readyz</c> reports every check; the gateway is ready when all are.
/// </summary>
public interface IReadinessCheck
{
    string Name { get; }

    ReadinessResult Check();
}

/// <param name="IsReady">Whether this part is ready.</param>
/// <param name="Detail">A short human-readable state, e.g. the ONNX execution provider in use.</param>
public readonly record struct ReadinessResult(bool IsReady, string Detail);
