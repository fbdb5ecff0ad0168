namespace RefusalGate.Simulator.Protocol;

/// <summary>The generation routes the simulator serves, each with its own request and answer format.</summary>
internal enum SimulatedApi
{
    ChatCompletions,
    Completions,
    Responses,
}
