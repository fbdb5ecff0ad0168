using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Writes the small copy of a document that <see cref="JsonShape"/> keeps, token by token as
/// <see cref="ForwardJsonReader"/> reads them: the kept members, in their order and kind, and nothing else. Strings are
/// cut to <see cref="ShortStringChars"/> characters (no member name or value the state compares is longer), text to the
/// characters the caller still keeps and one more, so that the state, reading it, sees that there was more exactly as
/// it would reading the whole; cuts fall where a character starts (<see cref="JsonStringPrefix"/>), and invalid UTF-8
/// is replaced as the whole-document reading replaces it. The copy is bounded: text by an allowance of twice that
/// (a choice's text and refusal; beyond it text is dropped and <see cref="TextCut"/> says so), structure by
/// <see cref="MaxStructureBytes"/> (more, thousands of output items, is not a provider's, and the document is given up).
/// </summary>
internal sealed class JsonProjection
{
    /// <summary>Longer than any member name or value the state compares (the longest, an event type, has 26).</summary>
    public const int ShortStringChars = 64;

    private const int MaxStructureBytes = 64 * 1024;

    /// <summary>The deepest kept container in <see cref="JsonShape"/> (a streamed chat content part) is six levels down.</summary>
    private const int MaxKeptDepth = 8;

    private readonly JsonShape _root;
    private readonly ArrayBufferWriter<byte> _output = new(256);
    private readonly int _maxBytes;
    private readonly Frame[] _frames = new Frame[MaxKeptDepth];
    private int _depth;

    /// <summary>Characters kept of one text string; and of all of them (what is left of the allowance).</summary>
    private readonly int _textChars;
    private int _textAllowance;

    /// <summary>After a member name: its value comes next, and this is its shape (null: the value is dropped).</summary>
    private bool _afterName;
    private JsonShape? _memberShape;

    /// <summary>Inside a dropped container, or one kept empty: how deep, and what closes the empty copy.</summary>
    private int _skipDepth;
    private byte _skipClose;

    /// <summary>An array kept as present: its one element is written when its first arrives.</summary>
    private bool _elementPending;

    public JsonProjection(JsonShape root, int textChars)
    {
        _root = root;
        _textChars = textChars;
        _textAllowance = (int)Math.Min(int.MaxValue, 2L * textChars);
        _maxBytes = (int)Math.Min(int.MaxValue, MaxStructureBytes + (6L * _textAllowance)); // an escaped character (\u00e9) takes six bytes
    }

    /// <summary>Text was dropped for the allowance, beyond what the per-string cut lets the state see for itself.</summary>
    public bool TextCut { get; private set; }

    public ReadOnlySpan<byte> Written => _output.WrittenSpan;

    /// <summary>How many characters to keep of the string that starts next (a member name or a value).</summary>
    public int CharsForNextString()
    {
        if (_skipDepth > 0)
        {
            return 0;
        }

        if (_depth > 0 && !_frames[_depth - 1].IsArray && !_afterName)
        {
            return ShortStringChars; // a member name
        }

        return ValueShape() switch
        {
            null => 0,
            { IsText: true } => Math.Min(_textChars, _textAllowance),
            _ => ShortStringChars,
        };
    }

    /// <param name="reader">At the token.</param>
    /// <param name="stringCut">The token is a string of which only the start was given (<see cref="SplitJsonString"/>).</param>
    public void OnToken(ref Utf8JsonReader reader, bool stringCut)
    {
        var type = reader.TokenType;
        if (_skipDepth > 0)
        {
            Skip(type);
            return;
        }

        switch (type)
        {
            case JsonTokenType.PropertyName:
                ref var frame = ref _frames[_depth - 1];
                _afterName = true;
                _memberShape = Member(frame.Shape, ref reader, out var name);
                if (_memberShape is not null)
                {
                    Separate(ref frame);
                    Write((byte)'"');
                    Write(name);
                    Write("\":"u8);
                }

                return;
            case JsonTokenType.EndObject or JsonTokenType.EndArray:
                Write(type == JsonTokenType.EndObject ? (byte)'}' : (byte)']');
                _depth--;
                return;
        }

        var shape = ValueShape();
        _afterName = false;
        _memberShape = null;
        if (shape is null)
        {
            if (type is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                _skipDepth = 1;
                _skipClose = 0;
            }

            return;
        }

        if (_depth > 0 && _frames[_depth - 1].IsArray)
        {
            Separate(ref _frames[_depth - 1]);
        }

        switch (type)
        {
            case JsonTokenType.StartObject:
                Write((byte)'{');
                if (shape.Members.Length > 0)
                {
                    Push(shape, isArray: false);
                }
                else
                {
                    _skipDepth = 1;
                    _skipClose = (byte)'}';
                }

                break;
            case JsonTokenType.StartArray:
                Write((byte)'[');
                if (shape.Elements is not null)
                {
                    Push(shape, isArray: true);
                }
                else
                {
                    _skipDepth = 1;
                    _skipClose = (byte)']';
                    _elementPending = true;
                }

                break;
            case JsonTokenType.String:
                WriteString(reader.ValueSpan, shape.IsText, stringCut);
                break;
            case JsonTokenType.Number:
                Write(reader.ValueSpan);
                break;
            case JsonTokenType.True:
                Write("true"u8);
                break;
            case JsonTokenType.False:
                Write("false"u8);
                break;
            default:
                Write("null"u8);
                break;
        }
    }

    private JsonShape? ValueShape() =>
        _depth == 0 ? _root
        : _frames[_depth - 1].IsArray ? _frames[_depth - 1].Shape.Elements
        : _memberShape;

    private static JsonShape? Member(JsonShape shape, ref Utf8JsonReader reader, out byte[] name)
    {
        foreach (var (memberName, memberShape) in shape.Members)
        {
            if (reader.ValueTextEquals(memberName))
            {
                name = memberName;
                return memberShape;
            }
        }

        name = [];
        return null;
    }

    /// <summary>Inside a dropped or emptied container: follows its nesting to its end; an array kept as present gets one element.</summary>
    private void Skip(JsonTokenType type)
    {
        if (_skipDepth == 1 && type is JsonTokenType.EndObject or JsonTokenType.EndArray)
        {
            _skipDepth = 0;
            _elementPending = false;
            if (_skipClose != 0)
            {
                Write(_skipClose);
            }

            return;
        }

        if (_elementPending)
        {
            _elementPending = false;
            Write((byte)'0');
        }

        if (type is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            _skipDepth++;
        }
        else if (type is JsonTokenType.EndObject or JsonTokenType.EndArray)
        {
            _skipDepth--;
        }
    }

    private void Push(JsonShape shape, bool isArray)
    {
        if (_depth == MaxKeptDepth)
        {
            throw new JsonException("Deeper than any kept member."); // cannot happen with the shapes in JsonShape
        }

        _frames[_depth++] = new Frame(shape, isArray);
    }

    private void Separate(ref Frame frame)
    {
        if (frame.HasItems)
        {
            Write((byte)',');
        }

        frame.HasItems = true;
    }

    private void WriteString(ReadOnlySpan<byte> raw, bool isText, bool cut)
    {
        var limit = isText ? Math.Min(_textChars, _textAllowance) : ShortStringChars;
        var chars = limit;
        var prefix = default(JsonStringPrefix);
        var kept = raw[..prefix.Advance(raw, ref chars)];
        if (isText)
        {
            _textAllowance = Math.Max(_textAllowance - (limit - chars), 0);
            TextCut |= (cut || kept.Length < raw.Length) && limit < _textChars;
        }

        Write((byte)'"');
        if (Utf8.IsValid(kept))
        {
            Write(kept);
        }
        else
        {
            // As the whole-document reading replaces invalid UTF-8 (escapes are ASCII, so they are left as they are).
            Write(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(kept)));
        }

        Write((byte)'"');
    }

    private void Write(byte value) => Write([value]);

    private void Write(ReadOnlySpan<byte> bytes)
    {
        if (_output.WrittenCount + bytes.Length > _maxBytes)
        {
            throw new JsonException("More kept members than any response has.");
        }

        _output.Write(bytes);
    }

    private struct Frame(JsonShape shape, bool isArray)
    {
        public JsonShape Shape { get; } = shape;

        public bool IsArray { get; } = isArray;

        public bool HasItems { get; set; }
    }
}
