namespace RefusalGate.Gateway.Configuration;

/// <summary>Model name patterns: <c>*</c> matches any sequence of characters; matching ignores case.</summary>
public static class ModelGlob
{
    public static bool IsMatch(string pattern, string model)
    {
        var star = pattern.IndexOf('*', StringComparison.Ordinal);
        if (star < 0)
        {
            return string.Equals(pattern, model, StringComparison.OrdinalIgnoreCase);
        }

        return MatchFrom(pattern.AsSpan(), model.AsSpan());
    }

    public static bool IsMatchAny(IEnumerable<string> patterns, string model) => patterns.Any(p => IsMatch(p, model));

    /// <summary>
    /// How specific a matching pattern is: exact names rank above every glob, and globs rank by their literal characters,
    /// so <c>gpt-4o*</c> beats <c>gpt-*</c>, which beats <c>*</c>.
    /// </summary>
    public static int Specificity(string pattern) =>
        pattern.Contains('*', StringComparison.Ordinal) ? pattern.Count(c => c != '*') : int.MaxValue;

    private static bool MatchFrom(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        var star = pattern.IndexOf('*');
        if (star < 0)
        {
            return pattern.Equals(text, StringComparison.OrdinalIgnoreCase);
        }

        if (text.Length < star || !pattern[..star].Equals(text[..star], StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = pattern[(star + 1)..];
        text = text[star..];
        if (rest.IsEmpty)
        {
            return true;
        }

        for (var i = 0; i <= text.Length; i++)
        {
            if (MatchFrom(rest, text[i..]))
            {
                return true;
            }
        }

        return false;
    }
}
