using RefusalGate.Simulator.Rules;

namespace RefusalGate.Simulator.Planning;

/// <summary>The answer the simulated upstream will give, decided before any byte is written.</summary>
/// <param name="Introspection">The prediction behind <paramref name="Text"/> when the request was a self-prediction.</param>
public sealed record ResponsePlan(
    string Text,
    bool IsRefusal,
    string? Category,
    ResponseSource Source,
    int InitialDelayMs,
    int ChunkDelayMs,
    PlannedFault? Fault,
    IntrospectionAnswer? Introspection = null);

public enum ResponseSource
{
    Compliance,
    RefusalRule,
    Replay,

    /// <summary>A self-prediction request, answered with a prediction rather than an answer to the embedded prompt.</summary>
    Introspection,
}

public sealed record PlannedFault(FaultKind Kind, int Status, int DelayMs);
