using System.Text.Json;

namespace RefusalGate.Detection.Features;

/// <summary>
/// Derives why a response refused (capability, opinion, safety) from which cue groups fire; the ordered rules
/// live in lexical-cues.json ("reasonRules") so the python trainer and this class read the same list.
/// </summary>
internal sealed class RefusalReasonRules
{
    private readonly IReadOnlyList<Rule> _rules;
    private readonly string _default;

    private RefusalReasonRules(IReadOnlyList<Rule> rules, string defaultReason)
    {
        _rules = rules;
        _default = defaultReason;
    }

    public static RefusalReasonRules Parse(JsonElement element)
    {
        var rules = element.GetProperty("rules").EnumerateArray()
            .Select(r => new Rule(
                r.GetProperty("reason").GetString() ?? string.Empty,
                [.. r.GetProperty("first").EnumerateArray().Select(x => x.GetString() ?? string.Empty)],
                [.. r.GetProperty("noneAnywhere").EnumerateArray().Select(x => x.GetString() ?? string.Empty)]))
            .ToList();
        return new RefusalReasonRules(rules, element.GetProperty("default").GetString() ?? "safety");
    }

    public string ReasonFor(ISet<string> firstHits, ISet<string> anyHits)
    {
        foreach (var rule in _rules)
        {
            if (rule.First.All(firstHits.Contains) && !rule.NoneAnywhere.Any(anyHits.Contains))
            {
                return rule.Reason;
            }
        }

        return _default;
    }

    private sealed record Rule(string Reason, string[] First, string[] NoneAnywhere);
}
