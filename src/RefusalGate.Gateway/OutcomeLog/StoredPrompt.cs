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
    public static StoredPrompt Of(string prompt, int maxChars)
    {
        if (prompt.Length <= maxChars)
        {
            return new StoredPrompt(prompt, prompt.Length);
        }

        // The options are not validated: a negative limit stores nothing rather than failing every record.
        var end = Math.Max(0, maxChars);
        if (end > 0 && char.IsHighSurrogate(prompt[end - 1]))
        {
            end--;
        }

        return new StoredPrompt(prompt[..end], prompt.Length);
    }
}
