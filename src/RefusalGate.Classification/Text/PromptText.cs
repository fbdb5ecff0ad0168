namespace RefusalGate.Classification.Text;

/// <summary>
/// The prompt text the classifier encodes: surrounding whitespace stripped and every run of whitespace inside turned
/// into one space (<see cref="char.IsWhiteSpace(char)"/>; the training code's <c>common.text.strip_prompt</c> does the
/// same, so the head sees prompts as it was trained on them).
/// </summary>
/// <remarks>
/// The encoder's reference tokenizer makes only an ASCII space a word boundary: a newline or a tab becomes the unknown
/// token and glues the next word to it as a word-inner piece, and a double space adds a token. Before this, one space
/// turned into a line break flipped the decision on 7.6 % of 800 validation prompts (a double space: 1.6 %;
/// onnx-models/training/classifier/spacing_check.py); now the spacing of a prompt never changes its prediction. The
/// response detector keeps the line structure (folding it there cost accuracy), so this is the classifier's rule, not
/// the encoder's (docs/decisions/0006).
/// </remarks>
public static class PromptText
{
    public static string Prepare(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.AsSpan().Trim();
        if (!HasWhitespaceToFold(trimmed))
        {
            return trimmed.Length == text.Length ? text : trimmed.ToString();
        }

        return string.Create(FoldedLength(trimmed), text, static (destination, source) =>
        {
            var written = 0;
            var inRun = false;
            foreach (var c in source.AsSpan().Trim())
            {
                if (char.IsWhiteSpace(c))
                {
                    if (!inRun)
                    {
                        destination[written++] = ' ';
                    }

                    inRun = true;
                }
                else
                {
                    destination[written++] = c;
                    inRun = false;
                }
            }
        });
    }

    /// <summary>Whitespace other than single ASCII spaces (the common case has none, and costs no copy).</summary>
    private static bool HasWhitespaceToFold(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]) && (text[i] != ' ' || char.IsWhiteSpace(text[i + 1])))
            {
                return true;
            }
        }

        return false;
    }

    private static int FoldedLength(ReadOnlySpan<char> text)
    {
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsWhiteSpace(text[i]) || !char.IsWhiteSpace(text[i - 1]))
            {
                length++;
            }
        }

        return length;
    }
}
