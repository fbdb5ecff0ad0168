using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RefusalGate.Gateway.Policies.SelfPrediction;

/// <summary>
/// Reads the model's answer to the introspection question, leniently, because models wrap JSON in prose or code fences
/// or ignore the format: first a JSON object (<c>would_refuse</c>/<c>refuse</c> as a boolean or yes/no, and
/// <c>confidence</c> as 0–1 or a percentage), else a yes/no with an optional number ("Yes, 80%"). A yes/no without a
/// number gets <see cref="ConfidenceWhenUnstated"/>. Anything else is no answer.
/// </summary>
public static partial class SelfVerdictParser
{
    public const double ConfidenceWhenUnstated = 0.7;

    /// <summary>Stated certainty is never taken as absolute: the result stays in [0.01, 0.99] so fusion stays finite.</summary>
    private const double Floor = 0.01;

    public static bool TryParse(string? content, out double refusalProbability)
    {
        refusalProbability = 0;
        if (string.IsNullOrWhiteSpace(content))
        {
            return false;
        }

        var verdict = FromJson(content) ?? FromText(content);
        if (verdict is not (var wouldRefuse, var confidence))
        {
            return false;
        }

        var stated = Math.Clamp(confidence ?? ConfidenceWhenUnstated, 0, 1);

        // A confidence below one half means the model leans the other way from its yes/no; keep its probability as stated.
        var p = wouldRefuse ? stated : 1 - stated;
        refusalProbability = Math.Clamp(p, Floor, 1 - Floor);
        return true;
    }

    private static (bool WouldRefuse, double? Confidence)? FromJson(string content)
    {
        var start = content.IndexOf('{');
        var end = content.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content.AsMemory(start, end - start + 1));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            bool? wouldRefuse = null;
            double? confidence = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                switch (property.Name.ToLowerInvariant())
                {
                    case "would_refuse" or "refuse" or "will_refuse" or "refusal":
                        wouldRefuse = property.Value.ValueKind switch
                        {
                            JsonValueKind.True => true,
                            JsonValueKind.False => false,
                            JsonValueKind.String => YesNo(property.Value.GetString()),
                            _ => null,
                        };
                        break;
                    case "confidence" or "probability":
                        confidence = property.Value.ValueKind switch
                        {
                            JsonValueKind.Number => Scale(property.Value.GetDouble()),
                            JsonValueKind.String => Number(property.Value.GetString() ?? ""),
                            _ => null,
                        };
                        break;
                }
            }

            return wouldRefuse is { } verdict ? (verdict, confidence) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (bool WouldRefuse, double? Confidence)? FromText(string content)
    {
        var match = YesNoPattern().Match(content);
        if (!match.Success)
        {
            return null;
        }

        var verdict = match.Groups["no"].Success ? false : true;
        return (verdict, Number(content[(match.Index + match.Length)..]) ?? Number(content[..match.Index]));
    }

    private static bool? YesNo(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "yes" or "true" or "refuse" => true,
        "no" or "false" or "comply" => false,
        _ => null,
    };

    private static double? Number(string text)
    {
        var match = NumberPattern().Match(text);
        if (!match.Success || !double.TryParse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        return match.Groups["percent"].Success ? value / 100 : Scale(value);
    }

    /// <summary>
    /// Numbers above 1 are read as percentages (models write "85" for 85 %), except a fraction below 10: "1.7" is a
    /// probability out of range, not 1.7 %, and read as 1.7 % it would turn "would refuse" into a confident comply. It
    /// counts as unstated.
    /// </summary>
    private static double? Scale(double value) => value switch
    {
        < 0 or > 100 or double.NaN => null,
        > 1 and < 10 when value != Math.Floor(value) => null,
        > 1 => value / 100,
        _ => value,
    };

    // "would not refuse" and "no" before "refuse"/"yes", so negations win over the bare verb.
    [GeneratedRegex(@"\b(?:(?<no>no|would not refuse|wouldn't refuse|will not refuse|won't refuse|not refuse|comply)|(?<yes>yes|would refuse|will refuse|refuse))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex YesNoPattern();

    [GeneratedRegex(@"(?<value>\d+(?:\.\d+)?)\s*(?<percent>%)?", RegexOptions.CultureInvariant)]
    private static partial Regex NumberPattern();
}
