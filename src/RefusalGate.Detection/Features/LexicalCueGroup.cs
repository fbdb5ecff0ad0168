using System.Text.RegularExpressions;

namespace RefusalGate.Detection.Features;

/// <summary>One named family of cue patterns (e.g. apology); it fires when any of its patterns matches.</summary>
internal sealed class LexicalCueGroup
{
    private readonly Regex _anyPattern;

    public LexicalCueGroup(string name, IEnumerable<string> patterns)
    {
        Name = name;
        // One alternation per group: "any pattern matches" in a single scan of the text. CultureInvariant +
        // IgnoreCase is the closest .NET reading of Python's re.IGNORECASE on str patterns.
        var alternation = string.Join('|', patterns.Select(p => "(?:" + p + ")"));
        _anyPattern = new Regex(alternation, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }

    public string Name { get; }

    public bool Matches(string text) => _anyPattern.IsMatch(text);
}
