namespace RefusalGate.Gateway.Configuration;

/// <summary>Wildcard patterns in settings (model names, route segments): <c>*</c> matches any characters, none included; case is ignored.</summary>
public static class Glob
{
    /// <summary>
    /// Matching without recursion: on a mismatch only the most recent <c>*</c> takes one more character, so the text a
    /// client chooses (a model name, a path) costs at most pattern × text steps whatever the pattern. Backtracking into
    /// every earlier star, as a recursive matcher does, grows with the text to the power of the number of stars.
    /// </summary>
    public static bool IsMatch(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
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
