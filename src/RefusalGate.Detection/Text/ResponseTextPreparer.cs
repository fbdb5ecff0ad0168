using System.Text;

namespace RefusalGate.Detection.Text;

/// <summary>
/// Bounds, normalises and splits a response exactly as onnx-models/training/detector/detector_features.py does.
/// Works in code points (runes) because the trainer does; lone surrogates become U+FFFD.
/// </summary>
internal sealed class ResponseTextPreparer
{
    private const string SentenceEnds = ".!?";
    private readonly TextSettings _settings;

    public ResponseTextPreparer(TextSettings settings)
    {
        _settings = settings;
    }

    public PreparedResponse Prepare(string response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var runes = ReadBounded(response);
        var (start, end) = Strip(runes, 0, runes.Length);
        var text = runes.AsSpan(start, end - start);
        var split = FirstSentenceEnd(text);
        var (firstStart, firstEnd) = Strip(runes, start, start + split);
        var (restStart, restEnd) = Strip(runes, start + split, end);
        return new PreparedResponse(
            ToText(text),
            ToText(runes.AsSpan(firstStart, firstEnd - firstStart)),
            ToText(runes.AsSpan(restStart, restEnd - restStart)),
            ToText(text[..Math.Min(text.Length, _settings.OpeningChars)]),
            text.Length,
            restEnd - restStart);
    }

    private Rune[] ReadBounded(string response)
    {
        var runes = new List<Rune>(Math.Min(response.Length, _settings.MaxChars));
        var index = 0;
        while (index < response.Length && runes.Count < _settings.MaxChars)
        {
            // Invalid UTF-16 (a lone surrogate) decodes to U+FFFD and consumes one char.
            Rune.DecodeFromUtf16(response.AsSpan(index), out var rune, out var consumed);
            runes.Add(IsApostrophe(rune) ? new Rune('\'') : rune);
            index += consumed;
        }

        return [.. runes];
    }

    private bool IsApostrophe(Rune rune) => rune.IsBmp && _settings.Apostrophes.Contains((char)rune.Value, StringComparison.Ordinal);

    private bool IsWhitespace(Rune rune) => rune.IsBmp && _settings.Whitespace.Contains((char)rune.Value, StringComparison.Ordinal);

    private (int Start, int End) Strip(Rune[] runes, int start, int end)
    {
        while (start < end && IsWhitespace(runes[start]))
        {
            start++;
        }

        while (end > start && IsWhitespace(runes[end - 1]))
        {
            end--;
        }

        return (start, end);
    }

    private int FirstSentenceEnd(ReadOnlySpan<Rune> text)
    {
        for (var k = 0; k < text.Length; k++)
        {
            var rune = text[k];
            var boundary = rune.Value == '\n'
                || (rune.IsBmp && SentenceEnds.Contains((char)rune.Value, StringComparison.Ordinal)
                    && (k + 1 == text.Length || IsWhitespace(text[k + 1])));
            if (boundary && k + 1 >= _settings.MinFirstChars)
            {
                return Math.Min(k + 1, _settings.MaxFirstChars);
            }

            if (k + 1 >= _settings.MaxFirstChars)
            {
                return _settings.MaxFirstChars;
            }
        }

        return text.Length;
    }

    private static string ToText(ReadOnlySpan<Rune> runes)
    {
        var builder = new StringBuilder(runes.Length + 8);
        Span<char> buffer = stackalloc char[2];
        foreach (var rune in runes)
        {
            var written = rune.EncodeToUtf16(buffer);
            builder.Append(buffer[..written]);
        }

        return builder.ToString();
    }
}
