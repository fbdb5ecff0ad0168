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
/// <c>maxLineBytes</c> in flight (a longer line is skipped and flagged). Invalid UTF-8 is replaced, not rejected; an
/// unreadable event is skipped and flagged, so a broken stream still yields whatever text it carried. A Responses API
/// stream (<paramref name="endpoint"/>) has typed events and no <c>[DONE]</c>: its terminal event marks it completed.
/// </summary>
internal sealed class EventStreamReader(int maxLineBytes, int maxTextChars, LlmEndpoint endpoint = LlmEndpoint.ChatCompletions) : IDisposable
{
    private readonly ExtractionState _state = new(maxTextChars, endpoint);

    /// <summary>The current event's data lines, joined by "\n" as the SSE grammar joins them.</summary>
    private readonly ArrayBufferWriter<byte> _data = new();
    private int _dataLines;

    /// <summary>A line split across chunks waits here (pooled) until its end arrives.</summary>
    private byte[] _carry = [];
    private int _carryLength;

    private bool _skippingLongLine;
    private bool _lineSkipped;
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
        if (_carryLength > 0 || _skippingLongLine)
        {
            EndLine([]);
        }

        Dispatch();
        if (!_sawData && _sawBytes)
        {
            _state.MarkMalformed(); // bytes, but no "data:" line at all (e.g. a compressed stream)
        }

        return _state.ToResult(completed: cut || _done || _state.FinishReason is not null || _state.Ended, truncated: cut || _lineSkipped);
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
        if (_skippingLongLine)
        {
            return;
        }

        if (_carryLength + part.Length > maxLineBytes)
        {
            SkipLine();
            return;
        }

        if (_carryLength + part.Length > _carry.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(maxLineBytes, Math.Max(_carryLength + part.Length, Math.Max(256, _carry.Length * 2))));
            _carry.AsSpan(0, _carryLength).CopyTo(larger);
            Dispose(); // returns the smaller buffer
            _carry = larger;
        }

        part.CopyTo(_carry.AsSpan(_carryLength));
        _carryLength += part.Length;
    }

    /// <summary>A line longer than the bound: its event cannot be read, and the rest of it is not kept.</summary>
    private void SkipLine()
    {
        _skippingLongLine = true;
        _lineSkipped = true;
        _carryLength = 0;
        _sawBytes = true;
        _state.MarkMalformed();
    }

    private void EndLine(ReadOnlySpan<byte> last)
    {
        if (_skippingLongLine)
        {
            _skippingLongLine = false;
            return;
        }

        if (_carryLength == 0)
        {
            Line(last); // the usual case: the whole line lies in one chunk and is read where it lies
            return;
        }

        Carry(last);
        if (_skippingLongLine)
        {
            _skippingLongLine = false;
            return;
        }

        Line(_carry.AsSpan(0, _carryLength));
        _carryLength = 0;
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
            if (_dataLines++ > 0)
            {
                _data.Write("\n"u8);
            }

            _data.Write(value.StartsWith(" "u8) ? value[1..] : value);
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
