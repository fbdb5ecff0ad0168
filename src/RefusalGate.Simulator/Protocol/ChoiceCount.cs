using System.Text.Json;
using RefusalGate.Shared;

namespace RefusalGate.Simulator.Protocol;

/// <summary>
/// The request's <c>n</c>: how many choices to answer with, read as OpenAI reads it (<see cref="OpenAiChoiceCount"/>):
/// 1 to 128, anything else OpenAI's 400. The limit also bounds the work one request can ask of the simulator.
/// </summary>
internal static class ChoiceCount
{
    public const int Max = OpenAiChoiceCount.Max;

    /// <summary>Reads <c>n</c> (absent or null: 1); false with OpenAI's error when it is not an integer from 1 to <see cref="Max"/>.</summary>
    public static bool TryRead(JsonElement root, out int choices, out RequestError? error)
    {
        var n = root.TryGetProperty(OpenAiChoiceCount.Parameter, out var value) ? value : (JsonElement?)null;
        if (OpenAiChoiceCount.TryRead(n, out choices, out var invalid))
        {
            error = null;
            return true;
        }

        error = new RequestError(invalid.Message, OpenAiChoiceCount.Parameter, invalid.Code);
        return false;
    }
}
