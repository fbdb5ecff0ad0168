using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Reads the first choice's text (a Responses API body: its output's text and refusal parts) from a JSON response body
/// that the capture limit cut short. A whole-document parser
/// cannot read such a body, but the detector only reads the start of a response, and a cut body still holds it: the
/// reader walks the tokens it can complete and, when the cut falls inside the text, decodes the string up to the cut.
/// It stops once it has <c>maxChars</c> of text, and names no member it does not look for, so a long body costs about
/// the text it gives, not the body's length.
/// </summary>
internal static class CutJsonTextReader
{
    private const int NoIndex = -1;

    /// <summary>
    /// The text of <c>choices[0].message.content</c> (and <c>.refusal</c>) or <c>choices[0].text</c>, as far as the body
    /// goes; with <paramref name="responsesApi"/>, of <c>output[*].content[*].text</c> (and <c>.refusal</c>).
    /// </summary>
    public static string ReadFirstChoiceText(ReadOnlySpan<byte> body, bool responsesApi = false, int maxChars = int.MaxValue)
    {
        var reader = new Utf8JsonReader(body, isFinalBlock: false, state: default);
        var path = new List<(string? Key, int NextIndex)>();
        string? property = null;
        var text = new StringBuilder();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = KnownName(ref reader);
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        path.Add((KeyOfNextValue(path, property), reader.TokenType == JsonTokenType.StartArray ? 0 : NoIndex));
                        property = null;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    default:
                        var key = KeyOfNextValue(path, property);
                        if (reader.TokenType == JsonTokenType.String && IsText(path, key, responsesApi))
                        {
                            text.Append(reader.GetString());
                            if (text.Length >= maxChars)
                            {
                                return text.ToString(0, maxChars);
                            }
                        }

                        property = null;
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Broken before the cut, or not UTF-8: keep what was read.
            return text.ToString();
        }

        if (property is not null && IsText(path, property, responsesApi))
        {
            text.Append(DecodeCutString(body[(int)reader.BytesConsumed..], maxChars - text.Length));
        }

        return text.Length > maxChars ? text.ToString(0, maxChars) : text.ToString();
    }

    /// <summary>The member names the paths look at, as constants; any other name is <c>""</c>, never a new string.</summary>
    private static string KnownName(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("choices"u8) ? "choices"
        : reader.ValueTextEquals("message"u8) ? "message"
        : reader.ValueTextEquals("content"u8) ? "content"
        : reader.ValueTextEquals("refusal"u8) ? "refusal"
        : reader.ValueTextEquals("text"u8) ? "text"
        : reader.ValueTextEquals("output"u8) ? "output"
        : "";

    /// <summary>The key the next value gets in its container: the property name in an object, "[i]" in an array.</summary>
    private static string? KeyOfNextValue(List<(string? Key, int NextIndex)> path, string? property)
    {
        if (path.Count == 0 || path[^1].NextIndex == NoIndex)
        {
            return property;
        }

        var (key, index) = path[^1];
        path[^1] = (key, index + 1);
        return index == 0 ? "[0]" : "[n]";
    }

    private static bool IsText(List<(string? Key, int NextIndex)> path, string? key, bool responsesApi) =>
        responsesApi ? IsResponseOutputText(path, key) : IsChoiceText(path, key);

    /// <summary>
    /// A content part's text in any output item: an item's type may come after its content, so a cut body's items are not
    /// told apart. Messages are the items whose <c>content</c> holds text; a reasoning item's <c>reasoning_text</c>
    /// (sent only when asked for) would be read too, a best-effort reading of a body too long to keep whole.
    /// </summary>
    private static bool IsResponseOutputText(List<(string? Key, int NextIndex)> path, string? key) =>
        path.Count == 5 && path[1].Key == "output" && path[3].Key == "content" && key is "text" or "refusal";

    private static bool IsChoiceText(List<(string? Key, int NextIndex)> path, string? key) =>
        (path.Count == 4 && path[1].Key == "choices" && path[2].Key == "[0]" && path[3].Key == "message" && key is "content" or "refusal")
        || (path.Count == 3 && path[1].Key == "choices" && path[2].Key == "[0]" && key == "text");

    /// <summary>
    /// Decodes a JSON string that starts in <paramref name="rest"/> and is cut before its closing quote, as far as
    /// <paramref name="maxChars"/> needs: no character takes more than six bytes (<c>\uXXXX</c>), twelve for a pair.
    /// </summary>
    private static string DecodeCutString(ReadOnlySpan<byte> rest, int maxChars)
    {
        rest = rest.TrimStart(" \t\r\n:"u8);
        if (rest.IsEmpty || rest[0] != (byte)'"' || maxChars <= 0)
        {
            return "";
        }

        rest = rest[..(int)Math.Min(rest.Length, 1 + (6L * maxChars) + 12)];

        var utf8 = new ArrayBufferWriter<byte>(rest.Length);
        Span<byte> encoded = stackalloc byte[4];
        var i = 1;
        while (i < rest.Length && rest[i] != (byte)'"')
        {
            if (rest[i] != (byte)'\\')
            {
                var run = rest[i..].IndexOfAny((byte)'\\', (byte)'"');
                var end = run < 0 ? rest.Length : i + run;
                utf8.Write(rest[i..end]);
                i = end;
                continue;
            }

            if (!TryDecodeEscape(rest[i..], out var rune, out var length))
            {
                break; // the cut fell inside the escape
            }

            utf8.Write(encoded[..rune.EncodeToUtf8(encoded)]);
            i += length;
        }

        // A multi-byte character cut in two becomes U+FFFD, as invalid UTF-8 does elsewhere in the extractor.
        return Encoding.UTF8.GetString(utf8.WrittenSpan);
    }

    private static bool TryDecodeEscape(ReadOnlySpan<byte> escape, out Rune rune, out int length)
    {
        rune = Rune.ReplacementChar;
        length = 2;
        if (escape.Length < 2)
        {
            return false;
        }

        switch (escape[1])
        {
            case (byte)'n': rune = new Rune('\n'); return true;
            case (byte)'t': rune = new Rune('\t'); return true;
            case (byte)'r': rune = new Rune('\r'); return true;
            case (byte)'b': rune = new Rune('\b'); return true;
            case (byte)'f': rune = new Rune('\f'); return true;
            case (byte)'u': break;
            default: rune = new Rune(escape[1]); return true; // \" \\ \/
        }

        if (!TryReadHex(escape, 2, out var unit))
        {
            return false;
        }

        length = 6;
        if (char.IsHighSurrogate(unit) && escape.Length >= 12 && escape[6] == (byte)'\\' && escape[7] == (byte)'u'
            && TryReadHex(escape, 8, out var low) && char.IsLowSurrogate(low))
        {
            rune = new Rune(unit, low);
            length = 12;
        }
        else if (!char.IsSurrogate(unit))
        {
            rune = new Rune(unit);
        }

        return true;
    }

    private static bool TryReadHex(ReadOnlySpan<byte> escape, int start, out char unit)
    {
        ushort value = 0;
        var ok = escape.Length >= start + 4 && ushort.TryParse(escape.Slice(start, 4), NumberStyles.AllowHexSpecifier, null, out value);
        unit = (char)value;
        return ok;
    }
}
