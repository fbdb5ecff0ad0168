using System.Globalization;
using System.Text.RegularExpressions;
using RefusalGate.Simulator.Rules;

namespace RefusalGate.Simulator.Planning;

/// <summary>
/// The <c>[sim:...]</c> directives found in a prompt. They let a test pick the simulator's behaviour per request
/// instead of per rules file. Normal answers use the fault and delay directives; self-prediction answers use only the
/// <c>self-*</c> ones, so one prompt can fail its real call yet still be predicted (and the other way round).
/// </summary>
internal sealed partial record PromptDirectives(
    PlannedFault? Fault,
    int DelayMs,
    int? ChunkDelayMs,
    SelfDirective? Self,
    int? SelfConfidencePercent,
    int SelfDelayMs)
{
    public static readonly PromptDirectives None = new(null, 0, null, null, null, 0);

    /// <summary>Reads the directives in order: delays add up, for everything else the last one wins.</summary>
    public static PromptDirectives Parse(string prompt)
    {
        var directives = None;
        foreach (Match match in Pattern().Matches(prompt))
        {
            var value = match.Groups["value"].Value;
            var hasNumber = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number);
            directives = match.Groups["name"].Value switch
            {
                "status" when hasNumber => directives with { Fault = new PlannedFault(FaultKind.Status, number, 0) },
                "delay" when hasNumber => directives with { DelayMs = directives.DelayMs + number },
                "chunk-delay" when hasNumber => directives with { ChunkDelayMs = number },
                "reset" => directives with { Fault = new PlannedFault(FaultKind.Reset, 0, 0) },
                "cut-stream" => directives with { Fault = new PlannedFault(FaultKind.CutStream, 0, 0) },
                "self" when ParseSelf(value) is { } self => directives with { Self = self },
                "self-confidence" when hasNumber => directives with { SelfConfidencePercent = number },
                "self-delay" when hasNumber => directives with { SelfDelayMs = directives.SelfDelayMs + number },
                _ => directives,
            };
        }

        return directives;
    }

    /// <summary>The prompt without any directive, as the refusal rules and the compliance topic should see it.</summary>
    public static string Strip(string prompt) => Pattern().Replace(prompt, "").Trim();

    private static SelfDirective? ParseSelf(string value) => value switch
    {
        "refuse" => SelfDirective.Refuse,
        "comply" => SelfDirective.Comply,
        "garbage" => SelfDirective.Garbage,
        _ => null,
    };

    [GeneratedRegex(@"\[sim:(?<name>[a-z-]+)(?:=(?<value>\d+|refuse|comply|garbage))?\]", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>What <c>[sim:self=...]</c> forces on a self-prediction answer.</summary>
internal enum SelfDirective
{
    /// <summary>The model predicts it would refuse.</summary>
    Refuse,

    /// <summary>The model predicts it would comply.</summary>
    Comply,

    /// <summary>The model answers with unparseable text.</summary>
    Garbage,
}
