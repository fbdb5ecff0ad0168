using System.Buffers;
using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Wraps the client's response stream: every write goes to the client first, unchanged and unbuffered (so streaming
/// keeps its time to first token), and only then is it kept for the refusal detector. An SSE stream is read as it
/// passes (<see cref="EventStreamReader"/>), keeping its text up to <see cref="StreamTextChars"/> and what its last
/// events say (finish reason, usage), whatever its length; any other body keeps a copy of its first <c>limit</c> bytes,
/// read in the background, and a longer one is read on past the copy as it passes (<see cref="ForwardJsonReader"/>)
/// for the members at its end (finish reason, status, usage). <paramref name="endpoint"/> is the route the request went
/// to, whose format the copy is read in.
/// </summary>
internal sealed class ResponseCaptureStream(Stream inner, int limit, Func<bool> isEventStream, LlmEndpoint endpoint = LlmEndpoint.ChatCompletions) : Stream
{
    /// <summary>
    /// Text kept from a stream: eight times the 2,000 code points the shipped detector reads (its manifest's
    /// <c>text.maxChars</c>), so a detector that reads more has room, while a stream costs at most 32 KB however long it runs.
    /// </summary>
    public const int StreamTextChars = 16 * 1024;

    private static readonly ResponseCopy Unreadable = new ResponseCopy.ReadStream(
        new CapturedResponse("", null, false, Completed: true, Truncated: false, Malformed: true, null, null));

    private bool _started;
    private EventStreamReader? _events;
    private bool _eventsFailed;

    /// <summary>A body longer than the copy, all of it read as it passes; started when the copy fills.</summary>
    private ForwardJsonReader? _bodyTail;
    private bool _bodyTailFailed;
    private byte[] _buffer = [];
    private int _length;

    /// <summary>True when a body was longer than the capture limit (the copy holds its start).</summary>
    public bool Truncated { get; private set; }

    public ReadOnlySpan<byte> Captured => _buffer.AsSpan(0, _length);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        Capture(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        Capture(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        Capture(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Hands what was kept over to the judge; the stream keeps nothing afterwards.</summary>
    public ResponseCopy Detach()
    {
        Start(); // a response without a body still has its type
        try
        {
            if (_eventsFailed)
            {
                return Unreadable;
            }

            if (_events is not null)
            {
                try
                {
                    return new ResponseCopy.ReadStream(_events.Finish());
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    return Unreadable;
                }
            }

            return new ResponseCopy.Body(Captured.ToArray(), Truncated, endpoint, ReadTail());
        }
        finally
        {
            Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        Release();
        base.Dispose(disposing);
    }

    private void Capture(ReadOnlySpan<byte> data)
    {
        Start();
        if (_events is not null)
        {
            try
            {
                _events.Append(data);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // An exception the reader did not expect must never reach the client's response: the copy is recorded
                // as unreadable instead.
                _eventsFailed = true;
                _events.Dispose();
                _events = null;
            }
        }
        else if (!_eventsFailed)
        {
            Copy(data);
        }
    }

    private void Start()
    {
        if (!_started)
        {
            // The first write sends the headers, so by now the content type is final.
            _started = true;
            _events = isEventStream() ? new EventStreamReader(limit, StreamTextChars, endpoint) : null;
        }
    }

    private void Copy(ReadOnlySpan<byte> data)
    {
        var room = limit - _length;
        if (data.Length > room)
        {
            if (!Truncated)
            {
                // The copy is full: from here the body is read as it passes, from its start (the copy) so that the
                // reader knows where in the document it is. Once per long body; short bodies never get here.
                Truncated = true;
                _bodyTail = new ForwardJsonReader(JsonShape.For(endpoint, streamed: false), textChars: 0);
                ReadOn(Captured);
            }

            ReadOn(data);
            data = data[..Math.Max(room, 0)];
        }

        if (data.IsEmpty)
        {
            return;
        }

        if (_length + data.Length > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(limit, Math.Max(Math.Max(_buffer.Length * 2, 16 * 1024), _length + data.Length)));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ReturnBuffer();
            _buffer = larger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private void ReadOn(ReadOnlySpan<byte> data)
    {
        try
        {
            _bodyTail?.Append(data);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // As for streams: what the reader did not expect never reaches the client; the body is recorded as unreadable.
            _bodyTail = null;
            _bodyTailFailed = true;
        }
    }

    private BodyTail? ReadTail()
    {
        try
        {
            return _bodyTail is not null ? new BodyTail(_bodyTail.TryFinish(out var kept, out _) ? kept.ToArray() : null)
                : _bodyTailFailed ? new BodyTail(null)
                : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new BodyTail(null);
        }
    }

    private void Release()
    {
        ReturnBuffer();
        _length = 0;
        _bodyTail = null;
        _events?.Dispose();
        _events = null;
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}
