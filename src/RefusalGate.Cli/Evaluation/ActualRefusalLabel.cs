using System.Text.Json;
using RefusalGate.Cli.Commands;
using RefusalGate.Detection;

namespace RefusalGate.Cli.Evaluation;

/// <summary>
/// Reads the reference answer of a labelled line: did the model refuse? Accepts what labelled sets usually carry —
/// <c>true</c>/<c>false</c>, <c>1</c>/<c>0</c> (also <c>1.0</c>, and either as a string in any letter case), or a refusal
/// kind in any letter case (<c>full_refusal</c> and <c>partial_refusal</c> are refusals, as the detector counts them) —
/// and nothing else, so a typo is a per-line error, not a silent "no".
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
            // 1.0 and 0.0: what a pandas column of floats writes.
            JsonValueKind.Number when value.TryGetDouble(out var number) && number is 0 or 1 => number == 1,
            JsonValueKind.String => FromText(value.GetString()!) ?? throw Invalid(field),
            _ => throw Invalid(field),
        };
    }

    /// <summary>Labels as strings, in any letter case: what CSV-derived files hold ("True", "1", "Compliance").</summary>
    private static bool? FromText(string text) => text.Trim().ToLowerInvariant() switch
    {
        "true" or "1" or RefusalKindLabels.FullRefusal or RefusalKindLabels.PartialRefusal => true,
        "false" or "0" or RefusalKindLabels.Compliance => false,
        _ => null,
    };

    private static InputLineException Invalid(string field) =>
        new($"the label \"{field}\" must be true/false, 1/0, or one of {RefusalKindLabels.FullRefusal}, {RefusalKindLabels.PartialRefusal}, {RefusalKindLabels.Compliance}");
}
