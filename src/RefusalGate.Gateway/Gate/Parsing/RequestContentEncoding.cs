using System.IO.Compression;
using Microsoft.Extensions.Primitives;

namespace RefusalGate.Gateway.Gate.Parsing;

/// <summary>
/// The <c>Content-Encoding</c> of a completion request's body. OpenAI's API accepts compressed bodies and some clients
/// send them, so the gate decodes the codings every client library writes (gzip, deflate, br) and judges the JSON inside;
/// the body is then forwarded decoded, without the header, so the upstream reads exactly what was judged. Other codings
/// (zstd, compress, ...) cannot be read here and are refused rather than forwarded unjudged.
/// </summary>
public static class RequestContentEncoding
{
    /// <summary>The codings the gate decodes, as the <c>Accept-Encoding</c> of its 415 lists them (RFC 9110, 15.5.16).</summary>
    public const string Decodable = "gzip, deflate, br";

    /// <summary>
    /// The codings a <c>Content-Encoding</c> header lists, in the order they were applied, without <c>identity</c>; false
    /// with the first coding the gate cannot decode.
    /// </summary>
    public static bool TryParse(StringValues header, out IReadOnlyList<string> codings, out string? unsupported)
    {
        unsupported = null;
        if (header.Count == 0)
        {
            // Almost every request: nothing to parse, and nothing allocated on the request path.
            codings = [];
            return true;
        }

        var found = new List<string>();
        foreach (var value in header)
        {
            foreach (var token in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var coding = token.ToLowerInvariant();
                switch (coding)
                {
                    case "identity":
                        break;
                    case "gzip" or "x-gzip" or "deflate" or "br":
                        found.Add(coding);
                        break;
                    default:
                        unsupported = token;
                        codings = [];
                        return false;
                }
            }
        }

        codings = found;
        return true;
    }

    /// <summary>
    /// A stream that reads <paramref name="body"/> decoded. The last coding listed was applied last, so it is undone
    /// first (RFC 9110, 8.4). A corrupt body throws while it is read (see <see cref="IsCorruptBody"/>). With no codings it
    /// is <paramref name="body"/> itself; otherwise disposing it disposes the decoders and leaves the body open.
    /// </summary>
    public static Stream Decode(Stream body, IReadOnlyList<string> codings)
    {
        var decoded = body;
        for (var i = codings.Count - 1; i >= 0; i--)
        {
            // The request body itself stays open: the server owns it.
            var leaveOpen = decoded == body;
            decoded = codings[i] switch
            {
                "gzip" or "x-gzip" => new GZipStream(decoded, CompressionMode.Decompress, leaveOpen),

                // HTTP's "deflate" is the zlib format (RFC 9110, 8.4.1.2), not a raw deflate stream.
                "deflate" => new ZLibStream(decoded, CompressionMode.Decompress, leaveOpen),
                "br" => new BrotliStream(decoded, CompressionMode.Decompress, leaveOpen),
                var other => throw new ArgumentException($"'{other}' is not a coding the gate decodes.", nameof(codings)),
            };
        }

        return decoded;
    }

    /// <summary>
    /// Whether reading a <see cref="Decode"/>d body failed because the body is not what its codings say: gzip and zlib
    /// report it as <see cref="InvalidDataException"/>, Brotli as <see cref="InvalidOperationException"/>.
    /// </summary>
    public static bool IsCorruptBody(Exception exception, IReadOnlyList<string> codings) => exception switch
    {
        InvalidDataException => codings.Count > 0,
        InvalidOperationException => codings.Contains("br"),
        _ => false,
    };
}
