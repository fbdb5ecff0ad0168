using System.Text.Json;

namespace RefusalGate.Simulator.Protocol;

/// <summary>
/// The request's <c>n</c>: how many choices to answer with. OpenAI accepts 1 to 128 and refuses anything else with a 400
/// in the words below; the simulator keeps the same limit, which also bounds the work one request can ask of it.
/// </summary>
internal static class ChoiceCount
{
    public const int Max = 128;

    /// <summary>Reads <c>n</c> (absent or null: 1); false with OpenAI's error when it is not an integer from 1 to <see cref="Max"/>.</summary>
    public static bool TryRead(JsonElement root, out int choices, out RequestError? error)
    {
        choices = 1;
        error = null;
        if (!root.TryGetProperty("n", out var n) || n.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (n.ValueKind != JsonValueKind.Number || !n.TryGetInt64(out var value))
        {
            error = new RequestError($"Invalid type for 'n': expected an integer, but got {Describe(n)} instead.", "n", "invalid_type");
            return false;
        }

        if (value < 1)
        {
            error = new RequestError($"Invalid 'n': integer below minimum value. Expected a value >= 1, but got {value} instead.", "n", "integer_below_min_value");
            return false;
        }

        if (value > Max)
        {
            error = new RequestError($"Invalid 'n': integer above maximum value. Expected a value <= {Max}, but got {value} instead.", "n", "integer_above_max_value");
            return false;
        }

        choices = (int)value;
        return true;
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => "a decimal number",
        JsonValueKind.String => "a string",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };
}
