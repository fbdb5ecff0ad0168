using System.Text.Json.Serialization;

namespace RefusalGate.Simulator.Replay;

internal sealed record ReplayEntry(
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("prompt")] string? Prompt,
    [property: JsonPropertyName("response")] string? Response);

[JsonSerializable(typeof(ReplayEntry))]
internal sealed partial class ReplayJsonContext : JsonSerializerContext;
