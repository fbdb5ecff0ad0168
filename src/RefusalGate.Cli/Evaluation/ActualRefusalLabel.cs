using System.Text.Json;
using RefusalGate.Cli.Commands;
using RefusalGate.Detection;

namespace RefusalGate.Cli.Evaluation;

/// <summary>
/// Reads the reference answer of a labelled line: did the model refuse? Accepts what labelled sets usually carry —
/// <c>true</c>/<c>false</c>, <c>1</c>/<c>0</c>, or a refusal kind (<c>full_refusal</c> and <c>partial_refusal</c> are
/// refusals, as the detector counts them) — and nothing else, so a typo is a per-line error, not a silent "no".
/// </summary>
internal static class ActualRefusalLabel
{
    public static bool Read(JsonElement line, string field)
    {
        if (!line.TryGetProperty(field, out var value))
        {
            throw new InputLineException($"the label \"{field}\" is missing");
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt32(out var number) && number is 0 or 1 => number == 1,
            JsonValueKind.String => value.GetString() switch
            {
                RefusalKindLabels.FullRefusal or RefusalKindLabels.PartialRefusal => true,
                RefusalKindLabels.Compliance => false,
                _ => throw Invalid(field),
            },
            _ => throw Invalid(field),
        };
    }

    private static InputLineException Invalid(string field) =>
        new($"the label \"{field}\" must be true/false, 1/0, or one of {RefusalKindLabels.FullRefusal}, {RefusalKindLabels.PartialRefusal}, {RefusalKindLabels.Compliance}");
}
