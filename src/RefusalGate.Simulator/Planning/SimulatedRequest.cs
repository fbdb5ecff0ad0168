namespace RefusalGate.Simulator.Planning;

/// <summary>What the simulated upstream needs to know about a request to plan its answer.</summary>
public sealed record SimulatedRequest(string Model, string LastUserMessage, bool Stream, bool IncludeUsage, int PromptTokens);
