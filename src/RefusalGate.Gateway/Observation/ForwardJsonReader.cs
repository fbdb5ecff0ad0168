using System.Buffers;
using System.Text.Json;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Reads one JSON document forward, chunk by chunk, in memory bounded whatever its length, keeping only what
/// <see cref="JsonShape"/> names (<see cref="JsonProjection"/>). It reads what the capture bound would otherwise lose: an
/// SSE line longer than <c>Observation:MaxCapturedBytes</c> (a Responses API terminal event repeats the whole answer) and
/// a JSON body past it, whose end holds the finish reason, status and usage. Tokens are read by <see cref="Utf8JsonReader"/>
/// where they lie, its state carried from chunk to chunk; of a token that a chunk ends inside only a bounded part waits
/// for the next chunk: a number or literal (a longer one is not a response's), a member name waiting for its colon, or
/// a string's kept start while <see cref="SplitJsonString"/> reads on to its end, so a megabyte of text is never held.
/// A document that is not one valid JSON value, as <see cref="JsonDocument"/> would find it, is unreadable.
/// </summary>
internal sealed class ForwardJsonReader(JsonShape shape, int textChars)
{
    /// <summary>The longest number or literal held across chunks.</summary>
    private const int MaxHeldScalarBytes = 256;

    private readonly JsonProjection _projection = new(shape, textChars);
    private readonly SplitJsonString _string = new();

    /// <summary>The unfinished token: a separator, then a number or literal's start, or a string's opening quote and kept part.</summary>
    private readonly ArrayBufferWriter<byte> _held = new(64);
    private Held _heldKind;
    private bool _heldStringCut;
    private JsonReaderState _state;
    private bool _failed;
    private bool _ended;

    private enum Held : byte
    {
        None,

        /// <summary>A comma or colon: the reader takes one only with the token after it.</summary>
        Separator,

        /// <summary>A number or literal, which the reader reads only once a byte after it shows where it ends.</summary>
        Scalar,

        /// <summary>A member name, which the reader reads only with its colon.</summary>
        Name,
    }

    public void Append(ReadOnlySpan<byte> chunk)
    {
        if (_failed)
        {
            return;
        }

        try
        {
            Feed(chunk);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            _failed = true; // not JSON (or more than one document): nothing more is read of it
        }
    }

    /// <summary>
    /// The document has ended: the kept members, as one small JSON document, and whether text was cut from them; false
    /// when the bytes were not one whole, valid JSON document.
    /// </summary>
    public bool TryFinish(out ReadOnlySpan<byte> kept, out bool textCut)
    {
        if (!_failed && !_string.Active)
        {
            try
            {
                Read(_held.WrittenSpan, final: true); // a number at the very end has no byte after it
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                _failed = true;
            }
        }

        kept = _projection.Written;
        textCut = _projection.TextCut;
        return !_failed && !_string.Active && _ended;
    }

    private void Feed(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            if (_string.Active)
            {
                chunk = chunk[_string.Consume(chunk, _held)..];
                if (!_string.Active)
                {
                    EndString();
                }
            }
            else if (_heldKind != Held.None)
            {
                chunk = TopUp(chunk);
            }
            else
            {
                chunk = Hold(chunk[Read(chunk, final: false)..]);
            }
        }
    }

    /// <summary>Keeps what the reader left unread at a chunk's end; returns the bytes still to read (a string's, after its quote).</summary>
    private ReadOnlySpan<byte> Hold(ReadOnlySpan<byte> rest)
    {
        rest = rest.TrimStart(" \t\r\n"u8);
        if (!rest.IsEmpty && rest[0] is (byte)',' or (byte)':')
        {
            _held.Write(rest[..1]);
            _heldKind = Held.Separator;
            rest = rest[1..].TrimStart(" \t\r\n"u8); // so whitespace, however long, is never held
        }

        if (rest.IsEmpty)
        {
            return [];
        }

        if (rest[0] == (byte)'"')
        {
            StartString();
            return rest[1..];
        }

        HoldScalar(rest);
        return [];
    }

    /// <summary>Adds the next bytes to the held token until the reader can read it; returns the bytes of the chunk it did not take.</summary>
    private ReadOnlySpan<byte> TopUp(ReadOnlySpan<byte> chunk)
    {
        if (_heldKind is Held.Separator or Held.Name)
        {
            chunk = chunk.TrimStart(" \t\r\n"u8);
            if (chunk.IsEmpty)
            {
                return [];
            }

            if (_heldKind == Held.Separator && chunk[0] == (byte)'"')
            {
                StartString();
                return chunk[1..];
            }
        }

        var before = _held.WrittenCount;
        var take = chunk[..Math.Min(chunk.Length, MaxHeldScalarBytes)];
        _held.Write(take);
        var consumed = Read(_held.WrittenSpan, final: false);
        if (consumed >= before)
        {
            // The held token was read, and perhaps more: the rest of the chunk is read where it lies.
            _held.ResetWrittenCount();
            _heldKind = Held.None;
            return chunk[(consumed - before)..];
        }

        // Still unfinished, and nothing of it read (the reader takes a token whole): only a number or literal runs on
        // like this, since a name is read with the first byte after it.
        if (consumed > 0 || _held.WrittenCount > MaxHeldScalarBytes)
        {
            throw new JsonException("A number or literal longer than any response's.");
        }

        _heldKind = Held.Scalar;
        return chunk[take.Length..];
    }

    private void HoldScalar(ReadOnlySpan<byte> token)
    {
        if (_held.WrittenCount + token.Length > MaxHeldScalarBytes)
        {
            throw new JsonException("A number or literal longer than any response's.");
        }

        _held.Write(token);
        _heldKind = Held.Scalar;
    }

    private void StartString()
    {
        _held.Write("\""u8);
        _heldKind = Held.None;
        _string.Start(_projection.CharsForNextString());
    }

    /// <summary>A string split across chunks has ended: its kept part is the token the reader reads (a name, with its colon, later).</summary>
    private void EndString()
    {
        _held.Write("\""u8);
        _heldStringCut = _string.Cut;
        if (Read(_held.WrittenSpan, final: false) == _held.WrittenCount)
        {
            _held.ResetWrittenCount();
        }
        else
        {
            _heldKind = Held.Name;
        }
    }

    private int Read(ReadOnlySpan<byte> data, bool final)
    {
        var reader = new Utf8JsonReader(data, final, _state);
        while (reader.Read())
        {
            // A string given by its kept start is the first token read after it ends.
            _projection.OnToken(ref reader, _heldStringCut);
            _heldStringCut = false;
            _ended |= reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray);
        }

        _state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }
}
