using RefusalGate.Simulator.Rules;

namespace RefusalGate.Simulator.Planning;

/// <summary>The answer the simulated upstream will give, decided before any byte is written.</summary>
public sealed record ResponsePlan(
    string Text,
    bool IsRefusal,
    string? Category,
    ResponseSource Source,
    int InitialDelayMs,
    int ChunkDelayMs,
    PlannedFault? Fault);

public enum ResponseSource
{
    Compliance,
    RefusalRule,
    Replay,
}

public sealed record PlannedFault(FaultKind Kind, int Status, int DelayMs);
