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

        return Glob.IsMatch(pattern, model);
    }

    public static bool IsMatchAny(IEnumerable<string> patterns, string model) => patterns.Any(p => IsMatch(p, model));

    /// <summary>
    /// How specific a matching pattern is: exact names rank above every glob, and globs rank by their literal characters,
    /// so <c>gpt-4o*</c> beats <c>gpt-*</c>, which beats <c>*</c>.
    /// </summary>
    public static int Specificity(string pattern) =>
        pattern.Contains('*', StringComparison.Ordinal) ? pattern.Count(c => c != '*') : int.MaxValue;
}
