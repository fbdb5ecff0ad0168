using System.Buffers;
using System.Text;
using System.Text.Unicode;
using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Reads an OpenAI SSE stream as it passes, chunk by chunk: <c>data:</c> events joined in order by the SSE grammar
/// (<c>\r\n</c>, <c>\n</c> or <c>\r</c> line ends, multi-line data, <c>event: error</c>), <c>[DONE]</c> marking a completed
/// stream. It keeps only what the judge needs, so a response of any length costs the same: the text up to
/// <c>maxTextChars</c>, the finish reason, usage and flags, seen to the end of the stream, and at most one line of
/// <c>maxLineBytes</c> held. A longer <c>data:</c> line (a Responses API terminal event repeats the whole answer in one)
/// is read as it passes instead (<see cref="ForwardJsonReader"/>), as its own event, keeping what the judge reads of it.
/// Invalid UTF-8 is replaced, not rejected; an unreadable event is skipped and flagged, so a broken stream still yields
/// whatever text it carried. A Responses API stream (<paramref name="endpoint"/>) has typed events and no <c>[DONE]</c>:
/// its terminal event marks it completed.
/// </summary>
internal sealed class EventStreamReader(int maxLineBytes, int maxTextChars, LlmEndpoint endpoint = LlmEndpoint.ChatCompletions) : IDisposable
{
    private readonly ExtractionState _state = new(maxTextChars, endpoint);

    /// <summary>The longest line held whole; at least enough to see whether a longer one is a <c>data:</c> line.</summary>
    private readonly int _maxLineBytes = Math.Max(maxLineBytes, 16);

    /// <summary>The current event's data lines, joined by "\n" as the SSE grammar joins them.</summary>
    private readonly ArrayBufferWriter<byte> _data = new();
    private int _dataLines;

    /// <summary>A line split across chunks waits here (pooled) until its end arrives.</summary>
    private byte[] _carry = [];
    private int _carryLength;

    /// <summary>The data of a line longer than <see cref="_maxLineBytes"/>, read as its chunks pass.</summary>
    private ForwardJsonReader? _longLine;

    /// <summary>A line longer than the bound that carries nothing to read (a comment, or an error event's data).</summary>
    private bool _skippingLongLine;
    private bool _afterCarriageReturn;
    private bool _errorEvent;
    private bool _done;
    private bool _sawData;
    private bool _sawBytes;

    public void Append(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            // "\r\n" split across two chunks is one line end, not two; any other byte after the "\r" ends the question.
            if (_afterCarriageReturn)
            {
                _afterCarriageReturn = false;
                if (chunk[0] == (byte)'\n')
                {
                    chunk = chunk[1..];
                    continue;
                }
            }

            var end = chunk.IndexOfAny((byte)'\r', (byte)'\n');
            if (end < 0)
            {
                Carry(chunk);
                return;
            }

            EndLine(chunk[..end]);
            _afterCarriageReturn = chunk[end] == (byte)'\r';
            chunk = chunk[(end + 1)..];
        }
    }

    /// <summary>
    /// The stream has ended (or broken off): reads a last line and event that lacked their line ends.
    /// <paramref name="cut"/> says the bytes seen were only the start of the response, so they cannot tell whether it completed.
    /// </summary>
    public CapturedResponse Finish(bool cut = false)
    {
        if (_carryLength > 0 || _skippingLongLine || _longLine is not null)
        {
            EndLine([]);
        }

        Dispatch();
        if (!_sawData && _sawBytes)
        {
            _state.MarkMalformed(); // bytes, but no "data:" line at all (e.g. a compressed stream)
        }

        return _state.ToResult(completed: cut || _done || _state.FinishReason is not null || _state.Ended, truncated: cut);
    }

    public void Dispose()
    {
        if (_carry.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_carry);
            _carry = [];
        }
    }

    private void Carry(ReadOnlySpan<byte> part)
    {
        if (_longLine is not null)
        {
            _longLine.Append(part);
            return;
        }

        if (_skippingLongLine)
        {
            return;
        }

        if (_carryLength + part.Length > _maxLineBytes)
        {
            StartLongLine(part);
            return;
        }

        if (_carryLength + part.Length > _carry.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_maxLineBytes, Math.Max(_carryLength + part.Length, Math.Max(256, _carry.Length * 2))));
            _carry.AsSpan(0, _carryLength).CopyTo(larger);
            Dispose(); // returns the smaller buffer
            _carry = larger;
        }

        part.CopyTo(_carry.AsSpan(_carryLength));
        _carryLength += part.Length;
    }

    /// <summary>
    /// A line longer than the bound (what is held of it, then <paramref name="part"/>): a <c>data:</c> line is read as
    /// it passes, as an event of its own (data lines before it in its event are read first, each as its own document,
    /// as a server that leaves out blank lines is read); any other line carries nothing the judge reads and is passed over.
    /// </summary>
    private void StartLongLine(ReadOnlySpan<byte> part)
    {
        _sawBytes = true;
        Span<byte> start = stackalloc byte[6];
        var held = Math.Min(_carryLength, start.Length);
        _carry.AsSpan(0, held).CopyTo(start);
        part[..Math.Min(part.Length, start.Length - held)].CopyTo(start[held..]);
        if (!start.StartsWith("data:"u8))
        {
            _skippingLongLine = true;
            _carryLength = 0;
            return;
        }

        _sawData = true;
        if (_dataLines > 0)
        {
            Handle(_data.WrittenSpan);
            _data.ResetWrittenCount();
            _dataLines = 0;
        }

        if (_errorEvent)
        {
            _state.MarkError(); // as Handle marks an error event, whatever its data
            _skippingLongLine = true;
            _carryLength = 0;
            return;
        }

        // The text it may keep is what is left of the stream's bound, and one character more, so the state sees
        // that there was more (JsonProjection cuts text there).
        _longLine = new ForwardJsonReader(JsonShape.For(endpoint, streamed: true), (int)Math.Min(int.MaxValue, _state.TextRoom + 1L));
        var valueStart = start[5] == (byte)' ' ? 6 : 5;
        if (valueStart <= _carryLength)
        {
            _longLine.Append(_carry.AsSpan(valueStart, _carryLength - valueStart));
            _longLine.Append(part);
        }
        else
        {
            _longLine.Append(part[(valueStart - _carryLength)..]);
        }

        _carryLength = 0;
    }

    /// <summary>A long data line has ended: what was kept of it is read as the event, as a short line would be.</summary>
    private void EndLongLine(ForwardJsonReader line)
    {
        _longLine = null;
        if (!line.TryFinish(out var kept, out var textCut) || !_state.TryReadDocument(kept, streamed: true))
        {
            _state.MarkMalformed();
        }
        else if (textCut)
        {
            _state.MarkTextTruncated();
        }
    }

    private void EndLine(ReadOnlySpan<byte> last)
    {
        if (_carryLength == 0 && _longLine is null && !_skippingLongLine)
        {
            Line(last); // the usual case: the whole line lies in one chunk and is read where it lies
            return;
        }

        Carry(last);
        if (_longLine is { } longLine)
        {
            EndLongLine(longLine);
        }
        else if (_skippingLongLine)
        {
            _skippingLongLine = false;
        }
        else
        {
            Line(_carry.AsSpan(0, _carryLength));
            _carryLength = 0;
        }
    }

    private void Line(ReadOnlySpan<byte> line)
    {
        _sawBytes |= !line.Trim(" \t"u8).IsEmpty;
        if (line.IsEmpty)
        {
            Dispatch();
        }
        else if (line.StartsWith("data:"u8))
        {
            var value = line["data:"u8.Length..];
            value = value.StartsWith(" "u8) ? value[1..] : value;
            if (_dataLines > 0 && _data.WrittenCount + 1 + value.Length > _maxLineBytes)
            {
                // An event longer than a line may be is a server that leaves out the blank lines between its events
                // (each line a document of its own), or would be held whole to the stream's end: what is held is read
                // now, line by line if need be, so memory stays bounded by the line bound.
                Handle(_data.WrittenSpan);
                _data.ResetWrittenCount();
                _dataLines = 0;
            }

            if (_dataLines++ > 0)
            {
                _data.Write("\n"u8);
            }

            _data.Write(value);
            _sawData = true;
        }
        else if (line.StartsWith("event:"u8))
        {
            _errorEvent = line["event:"u8.Length..].Trim((byte)' ').SequenceEqual("error"u8);
        }
    }

    private void Dispatch()
    {
        if (_dataLines > 0)
        {
            Handle(_data.WrittenSpan);
        }

        _data.ResetWrittenCount();
        _dataLines = 0;
        _errorEvent = false;
    }

    private void Handle(ReadOnlySpan<byte> data)
    {
        if (_errorEvent)
        {
            _state.MarkError();
            return;
        }

        // One invalid byte must not hide the rest of the answer: U+FFFD in its place, as the detector's CLI reads text.
        // Lines end at ASCII bytes, so a valid character is never split between two events.
        if (!Utf8.IsValid(data))
        {
            data = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(data));
        }

        if (_dataLines == 1 && data.SequenceEqual("[DONE]"u8))
        {
            _done = true;
            return;
        }

        // Multi-line data is one document; a server that leaves out the blank lines between events sends one
        // document per line instead, so those are read one by one when the whole does not parse.
        if (_state.TryReadDocument(data, streamed: true))
        {
            return;
        }

        if (_dataLines == 1)
        {
            _state.MarkMalformed();
            return;
        }

        foreach (var line in data.Split((byte)'\n'))
        {
            var document = data[line];
            if (document.SequenceEqual("[DONE]"u8))
            {
                _done = true;
            }
            else if (!_state.TryReadDocument(document, streamed: true))
            {
                _state.MarkMalformed();
            }
        }
    }
}
