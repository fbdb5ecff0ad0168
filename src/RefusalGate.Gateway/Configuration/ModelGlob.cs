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

    /// <summary>
    /// Wildcard matching without recursion: on a mismatch, only the most recent <c>*</c> takes one more character, so a
    /// client's model name costs at most pattern × name steps whatever the pattern (backtracking into every earlier star,
    /// as a recursive matcher does, grows with the name to the power of the number of stars).
    /// </summary>
    private static bool MatchFrom(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, starAt = -1, resumeAt = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                starAt = p++;
                resumeAt = t;
            }
            else if (p < pattern.Length && char.ToUpperInvariant(pattern[p]) == char.ToUpperInvariant(text[t]))
            {
                p++;
                t++;
            }
            else if (starAt >= 0)
            {
                p = starAt + 1;
                t = ++resumeAt;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
