using RefusalGate.Classification.Manifest;

namespace RefusalGate.Classification.Text;

/// <summary>
/// The end of a prompt, embedded next to the whole prompt: a long role-play or jailbreak wrapper fills most of the
/// encoder's windows, and the request it wraps usually comes last. Same rule as onnx-models/training/common/text.py
/// (<c>prompt_tail</c>), counted in code points as Python does: the last <see cref="ClassifierManifestTail.Chars"/>,
/// starting after the first space within <see cref="ClassifierManifestTail.WordWindow"/> of them.
/// </summary>
public static class PromptTail
{
    /// <summary>The tail of an already trimmed prompt; the prompt itself when it is no longer than the tail.</summary>
    public static string Of(string trimmedPrompt, ClassifierManifestTail settings)
    {
        ArgumentNullException.ThrowIfNull(trimmedPrompt);
        ArgumentNullException.ThrowIfNull(settings);
        if (trimmedPrompt.Length <= settings.Chars)
        {
            return trimmedPrompt; // at most Chars UTF-16 units, so at most Chars code points
        }

        // Walk back Chars code points from the end.
        var start = trimmedPrompt.Length;
        var counted = 0;
        while (start > 0 && counted < settings.Chars)
        {
            start -= start >= 2 && IsPairAt(trimmedPrompt, start - 2) ? 2 : 1;
            counted++;
        }

        if (start == 0)
        {
            return trimmedPrompt; // no longer than Chars code points after all (surrogate pairs)
        }

        // The first space within WordWindow code points of the cut.
        var index = start;
        for (var seen = 0; seen < settings.WordWindow && index < trimmedPrompt.Length; seen++)
        {
            if (trimmedPrompt[index] == ' ')
            {
                return trimmedPrompt[(index + 1)..];
            }

            index += IsPairAt(trimmedPrompt, index) ? 2 : 1;
        }

        return trimmedPrompt[start..];
    }

    /// <summary>A valid surrogate pair (one code point) starts at <paramref name="index"/>; a lone surrogate counts as one, as in Python.</summary>
    private static bool IsPairAt(string text, int index) =>
        index + 1 < text.Length && char.IsHighSurrogate(text[index]) && char.IsLowSurrogate(text[index + 1]);
}
