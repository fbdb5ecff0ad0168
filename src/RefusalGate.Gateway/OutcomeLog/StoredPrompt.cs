namespace RefusalGate.Gateway.OutcomeLog;

/// <summary>
/// The prompt text an outcome record keeps, and the length of the prompt it came from, so a reader can tell a stored
/// prompt that was cut at <see cref="OutcomeLogOptions.MaxStoredPromptChars"/> from one that was this short.
/// </summary>
/// <param name="Text">The stored text: the whole prompt, or its start.</param>
/// <param name="OriginalLength">The whole prompt's length in UTF-16 code units (the unit of the limit).</param>
public sealed record StoredPrompt(string Text, int OriginalLength)
{
    public bool Truncated => Text.Length < OriginalLength;

    /// <summary>
    /// The prompt, cut to at most <paramref name="maxChars"/>; a cut never splits a surrogate pair (half an emoji would
    /// reach Redis as U+FFFD), so a cut text may be one unit shorter than the limit.
    /// </summary>
    public static StoredPrompt Of(string prompt, int maxChars) => new(Cut(prompt, maxChars), prompt.Length);

    /// <summary>
    /// <paramref name="text"/> cut to at most <paramref name="maxChars"/> UTF-16 code units, one fewer rather than
    /// between the two halves of a surrogate pair (a lone half is not valid text to Redis or a provider: it becomes
    /// U+FFFD). Also what the self-prediction call sends of a long prompt.
    /// </summary>
    public static string Cut(string text, int maxChars)
    {
        if (text.Length <= maxChars)
        {
            return text;
        }

        // The options are not validated: a negative limit keeps nothing rather than failing every record.
        var end = Math.Max(0, maxChars);
        if (end > 0 && char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return text[..end];
    }
}
