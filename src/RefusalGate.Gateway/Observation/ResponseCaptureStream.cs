using System.Buffers;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Wraps the client's response stream: every write goes to the client first, unchanged and unbuffered (so streaming
/// keeps its time to first token), and a copy of the first <c>limit</c> bytes is kept for the refusal detector.
/// </summary>
internal sealed class ResponseCaptureStream(Stream inner, int limit) : Stream
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit, 16 * 1024));
    private int _length;

    /// <summary>True when the response was longer than the capture limit (the copy holds its start).</summary>
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

    /// <summary>Hands the captured bytes over (the caller owns the copy); the stream keeps nothing afterwards.</summary>
    public byte[] DetachCopy()
    {
        var copy = Captured.ToArray();
        Release();
        return copy;
    }

    protected override void Dispose(bool disposing)
    {
        Release();
        base.Dispose(disposing);
    }

    private void Capture(ReadOnlySpan<byte> data)
    {
        var room = limit - _length;
        if (data.Length > room)
        {
            Truncated = true;
            data = data[..Math.Max(room, 0)];
        }

        if (data.IsEmpty)
        {
            return;
        }

        if (_length + data.Length > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(limit, Math.Max(_buffer.Length * 2, _length + data.Length)));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private void Release()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _length = 0;
        }
    }
}
