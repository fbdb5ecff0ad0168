namespace RefusalGate.Inference.Runtime;

/// <summary>Element types the gateway's models exchange; anything else is reported as <see cref="Other"/>.</summary>
public enum TensorElementKind
{
    Other = 0,
    FloatingPoint32,
    SignedInteger64,
}
