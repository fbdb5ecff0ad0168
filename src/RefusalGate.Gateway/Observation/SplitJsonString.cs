using System.Buffers;
using System.Text.Json;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// A JSON string token that a chunk ends inside, read on by <see cref="ForwardJsonReader"/> without holding it: it may
/// be a megabyte of answer text, which <see cref="Utf8JsonReader"/> would need whole. This finds its closing quote
/// across chunks, checks what the reader would (no raw control character, only JSON's escapes), and keeps only the
/// characters asked for (<see cref="JsonStringPrefix"/>); the reader is then given the kept part as the token.
/// </summary>
internal sealed class SplitJsonString
{
    /// <summary>What ends a run of plain string bytes: its closing quote, an escape, or a byte JSON does not allow there.</summary>
    private static readonly SearchValues<byte> Specials = SearchValues.Create([(byte)'"', (byte)'\\', .. Enumerable.Range(0, 0x20).Select(b => (byte)b)]);

    private JsonStringPrefix _prefix;
    private int _charsLeft;
    private bool _keeping;
    private Escape _escape;
    private int _hexLeft;

    private enum Escape : byte
    {
        None,
        Backslash,
        Hex,
    }

    /// <summary>Inside a string: the chunks fed are its bytes until its closing quote.</summary>
    public bool Active { get; private set; }

    /// <summary>Some of the string was not kept.</summary>
    public bool Cut { get; private set; }

    /// <summary>Starts a string after its opening quote, keeping up to <paramref name="chars"/> characters of it.</summary>
    public void Start(int chars)
    {
        Active = true;
        Cut = false;
        _prefix = default;
        _charsLeft = chars;
        _keeping = true;
        _escape = Escape.None;
    }

    /// <summary>
    /// Reads on in the string: its kept bytes are written to <paramref name="kept"/>. Returns the bytes used, the
    /// closing quote included (<see cref="Active"/> is then false). Throws <see cref="JsonException"/> where the reader would.
    /// </summary>
    public int Consume(ReadOnlySpan<byte> chunk, IBufferWriter<byte> kept)
    {
        var end = FindEnd(chunk);
        var content = end < 0 ? chunk : chunk[..end];
        if (_keeping)
        {
            var keep = _prefix.Advance(content, ref _charsLeft);
            kept.Write(content[..keep]);
            if (keep < content.Length)
            {
                _keeping = false;
                Cut = true;
            }
        }
        else
        {
            Cut |= !content.IsEmpty;
        }

        if (end < 0)
        {
            return chunk.Length;
        }

        Active = false;
        return end + 1;
    }

    /// <summary>The closing quote's index in <paramref name="chunk"/>, or -1; checks every byte before it.</summary>
    private int FindEnd(ReadOnlySpan<byte> chunk)
    {
        var i = 0;
        while (i < chunk.Length)
        {
            var b = chunk[i];
            switch (_escape)
            {
                case Escape.Backslash:
                    _escape = b switch
                    {
                        (byte)'u' => Escape.Hex,
                        (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t' => Escape.None,
                        _ => throw new JsonException("An invalid escape in a JSON string."),
                    };
                    _hexLeft = 4;
                    i++;
                    continue;
                case Escape.Hex:
                    if (!char.IsAsciiHexDigit((char)b))
                    {
                        throw new JsonException("An invalid \\u escape in a JSON string.");
                    }

                    _escape = --_hexLeft == 0 ? Escape.None : Escape.Hex;
                    i++;
                    continue;
            }

            var next = chunk[i..].IndexOfAny(Specials);
            if (next < 0)
            {
                return -1;
            }

            i += next;
            switch (chunk[i])
            {
                case (byte)'"':
                    return i;
                case (byte)'\\':
                    _escape = Escape.Backslash;
                    i++;
                    break;
                default:
                    throw new JsonException("A control character in a JSON string.");
            }
        }

        return -1;
    }
}
