namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Counts the characters (UTF-16, as a .NET string counts them) of a JSON string's raw bytes, escapes included, and
/// says where to cut it after a number of them. A cut falls only where a character starts, never inside an escape, a
/// UTF-8 sequence or a surrogate pair (<c>\ud83d\ude00</c>), so the kept bytes are still a valid JSON string of the
/// same characters. Fed piece by piece (a string split across chunks), it carries an unfinished escape over.
/// Invalid UTF-8 is counted by its lead bytes (a stray continuation byte counts with the character before it): the
/// count is then approximate, never the kept bytes' validity, which the caller repairs.
/// </summary>
internal struct JsonStringPrefix
{
    private EscapePart _escape;
    private int _hexLeft;
    private int _hex;
    private bool _afterHighSurrogate;

    private enum EscapePart : byte
    {
        None,
        Backslash,
        Hex,
    }

    /// <summary>
    /// How many bytes of <paramref name="raw"/> to keep so that, with what was kept before, at least the characters
    /// <paramref name="charsLeft"/> asked for are kept (one more when the last is a surrogate pair's first half);
    /// <paramref name="charsLeft"/> is lowered by what was kept. All of <paramref name="raw"/> when it holds no more.
    /// </summary>
    public int Advance(ReadOnlySpan<byte> raw, ref int charsLeft)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            switch (_escape)
            {
                case EscapePart.Backslash:
                    _escape = b == (byte)'u' ? EscapePart.Hex : EscapePart.None;
                    _hexLeft = 4;
                    _hex = 0;
                    continue;
                case EscapePart.Hex:
                    _hex = (_hex << 4) | HexValue(b);
                    if (--_hexLeft == 0)
                    {
                        _escape = EscapePart.None;
                        _afterHighSurrogate = char.IsHighSurrogate((char)_hex);
                    }

                    continue;
            }

            if ((b & 0xC0) == 0x80)
            {
                continue; // a UTF-8 continuation byte: part of the character before it
            }

            // A character starts here: a place to cut, unless it would leave an escaped pair's first half alone.
            if (charsLeft <= 0 && !_afterHighSurrogate)
            {
                return i;
            }

            _afterHighSurrogate = false;
            charsLeft -= b >= 0xF0 ? 2 : 1; // a four-byte UTF-8 sequence is a surrogate pair in UTF-16
            if (b == (byte)'\\')
            {
                _escape = EscapePart.Backslash;
            }
        }

        return raw.Length;
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => 0, // not hex: the string is invalid, which the JSON reader (or SplitJsonString) reports
    };
}
