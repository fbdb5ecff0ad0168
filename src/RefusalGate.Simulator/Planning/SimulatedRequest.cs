namespace RefusalGate.Simulator.Planning;

/// <summary>What the simulated upstream needs to know about a request to plan its answer.</summary>
/// <param name="Choices">The request's <c>n</c>: every choice carries the same planned answer.</param>
public sealed record SimulatedRequest(string Model, string LastUserMessage, bool Stream, bool IncludeUsage, int PromptTokens, int Choices = 1);
