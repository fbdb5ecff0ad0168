using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace RefusalGate.Gateway.Gate.Parsing;

/// <summary>
/// Buffers a request body up to a limit. A declared Content-Length over the limit is refused before reading; an
/// undeclared (chunked) body is refused as soon as it crosses the limit, so an oversize body never fills memory.
/// </summary>
public static class RequestBodyReader
{
    public static ValueTask<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken) =>
        ReadAsync(request.Body, request.ContentLength, limit, cancellationToken);

    /// <summary>
    /// Reads <paramref name="body"/> (a decoding stream over a compressed request, say) up to the limit; null when the
    /// declared length or the bytes read exceed it, so the limit holds for the body as sent and as read.
    /// </summary>
    public static async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(Stream body, long? declaredLength, long limit, CancellationToken cancellationToken)
    {
        if (declaredLength > limit)
        {
            return null;
        }

        var initial = (int)Math.Min(declaredLength ?? 16 * 1024, limit) + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 256));
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    return null;
                }
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
