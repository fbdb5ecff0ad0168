using System.Text.RegularExpressions;

namespace RefusalGate.Simulator.Rules;

/// <summary>
/// Compiles <see cref="IntrospectionRules.Pattern"/> the one way both the loader (to report errors early) and the
/// planner (to match requests) use, so a pattern that loads is a pattern that works.
/// </summary>
internal static class IntrospectionPattern
{
    public const string PromptGroup = "prompt";

    private const RegexOptions Options = RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    /// <summary>Generous next to the rule patterns' 50 ms: the embedded prompt can be a long conversation.</summary>
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    /// <exception cref="ArgumentException">The pattern is invalid or has no <c>prompt</c> group.</exception>
    public static Regex Compile(string pattern)
    {
        var regex = new Regex(pattern, Options, MatchTimeout);
        if (!regex.GetGroupNames().Contains(PromptGroup, StringComparer.Ordinal))
        {
            throw new ArgumentException($"it needs a named group (?<{PromptGroup}>...) that captures the embedded prompt.");
        }

        return regex;
    }
}
