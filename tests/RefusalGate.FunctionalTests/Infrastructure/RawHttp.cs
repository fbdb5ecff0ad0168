using System.Net.Sockets;
using System.Text;

namespace RefusalGate.FunctionalTests.Infrastructure;

/// <summary>A response read off a raw socket: the status, the headers (names lower-cased) and the whole text.</summary>
public sealed record RawResponse(int Status, Dictionary<string, string> Headers, string Text);

public static class RawHttp
{
    /// <summary>
    /// Sent on a raw socket: <see cref="Uri"/> would turn backslashes into slashes and resolve dot segments before the
    /// gateway saw them, and an attacker's client does neither.
    /// </summary>
    public static async Task<RawResponse> RawSendAsync(this TestGateway gateway, string method, string path, string body = "")
    {
        using var client = new TcpClient();
        await client.ConnectAsync(gateway.BaseAddress.Host, gateway.BaseAddress.Port);
        await using var stream = client.GetStream();
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"{method} {path} HTTP/1.1\r\nHost: {gateway.BaseAddress.Authority}\r\nContent-Type: application/json\r\n" +
                   $"Content-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(bytes);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = text[..headerEnd].Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        return new RawResponse(int.Parse(lines[0].Split(' ')[1]), headers, text);
    }
}
