using System.Text.Json;

namespace RefusalGate.Shared;

/// <summary>Why a request's <c>n</c> is refused, in the words and code of OpenAI's 400 (its <c>param</c> is <c>n</c>).</summary>
internal readonly record struct ChoiceCountError(string Message, string Code);

/// <summary>
/// A request's <c>n</c>: how many choices to answer with. OpenAI accepts an integer from 1 to 128 (absent or null is 1) and
/// refuses anything else with a 400 in the words below. Everything in the repository that answers like a provider reads
/// it here: the simulated upstream, and the gateway when it answers in the provider's place. A source file linked into
/// both projects, like <see cref="OpenAiCompletionJson"/>.
/// </summary>
internal static class OpenAiChoiceCount
{
    public const int Max = 128;

    public const string Parameter = "n";

    /// <summary>Reads <c>n</c> (<paramref name="n"/> null when absent); false with OpenAI's error when it is out of range or not an integer.</summary>
    public static bool TryRead(JsonElement? n, out int choices, out ChoiceCountError error)
    {
        choices = 1;
        error = default;
        if (n is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Number || !IsIntegerLiteral(value.GetRawText()))
        {
            error = new($"Invalid type for 'n': expected an integer, but got {Describe(value)} instead.", "invalid_type");
            return false;
        }

        // An integer literal beyond a long is still an integer, just far out of range.
        var fits = value.TryGetInt64(out var number);
        var negative = value.GetRawText().StartsWith('-');
        if (fits ? number < 1 : negative)
        {
            error = new($"Invalid 'n': integer below minimum value. Expected a value >= 1, but got {value.GetRawText()} instead.", "integer_below_min_value");
            return false;
        }

        if (!fits || number > Max)
        {
            error = new($"Invalid 'n': integer above maximum value. Expected a value <= {Max}, but got {value.GetRawText()} instead.", "integer_above_max_value");
            return false;
        }

        choices = (int)number;
        return true;
    }

    /// <summary>JSON numbers written without a fraction or an exponent (<c>2.0</c> and <c>1e2</c> are decimals to OpenAI).</summary>
    private static bool IsIntegerLiteral(string raw) => raw.AsSpan().IndexOfAny(".eE") < 0;

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => "a decimal number",
        JsonValueKind.String => "a string",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };
}
