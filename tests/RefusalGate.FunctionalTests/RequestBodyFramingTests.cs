using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// Request bodies the HTTP server itself refuses while the gate reads them: broken chunked framing, and the server's own
/// size limit (Kestrel's 30 MB default, below the 64 MiB <c>Gateway:MaxRequestBodyBytes</c> allows). Each is the client's
/// fault, answered with an OpenAI-style error carrying the request id, and never an error log with a stack trace.
/// </summary>
public sealed class RequestBodyFramingTests : IAsyncLifetime
{
    /// <summary>Above Kestrel's default limit of 30,000,000 bytes, within the 64 MiB the gateway's setting allows.</summary>
    private const int Limit = 40_000_000;

    private readonly LogCollector _logs = new();
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() =>
        _gateway = await TestGateway.StartAsync(new() { ["Gateway:MaxRequestBodyBytes"] = Limit.ToString(CultureInfo.InvariantCulture) }, logs: _logs);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_bad_chunk_size_gets_an_openai_style_400_with_the_request_id_and_no_error_log()
    {
        const string Body = """{"model":"demo-model","messages":[{"role":"user","content":"hi"}]}""";
        var (status, headers, body) = await SendRawAsync(
            "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + $"zz\r\n{Body}\r\n0\r\n\r\n");

        status.ShouldBe(400);
        headers.ShouldContainKey("content-type");
        headers["content-type"].ShouldStartWith("application/json");
        using var document = JsonDocument.Parse(body);
        var error = document.RootElement.GetProperty("error");
        error.GetProperty("code").GetString().ShouldBe("invalid_request_body");
        error.GetProperty("type").GetString().ShouldBe("invalid_request_error");
        error.GetProperty("request_id").GetString().ShouldBe(headers["x-request-id"]);
        _logs.Entries.ShouldNotContain(e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_bad_chunk_size_on_a_pass_through_route_gets_the_same_400_and_no_error_log()
    {
        const string Body = """{"model":"demo-model","input":"hi"}""";
        var (status, headers, body) = await SendRawAsync(
            "POST /v1/embeddings HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + $"zz\r\n{Body}\r\n0\r\n\r\n");

        status.ShouldBe(400);
        headers["content-type"].ShouldStartWith("application/json");
        using var document = JsonDocument.Parse(body);
        var error = document.RootElement.GetProperty("error");
        error.GetProperty("code").GetString().ShouldBe("invalid_request_body");
        error.GetProperty("request_id").GetString().ShouldBe(headers["x-request-id"]);
        _logs.Entries.ShouldNotContain(e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_body_within_the_configured_limit_but_over_the_servers_default_is_read()
    {
        // Judged far enough to reach the model access stage, whose 403 shows the gate read and parsed the whole body.
        var body = JsonSerializer.Serialize(new
        {
            model = "forbidden-model",
            messages = new[] { new { role = "user", content = "hi" } },
            padding = new string('a', 31_000_000),
        });

        var response = await _gateway.Http.PostAsync("v1/chat/completions", GatewayHttp.Json(body));

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await response.ReadErrorAsync()).GetProperty("code").GetString().ShouldBe("model_not_allowed");
        _logs.Entries.ShouldNotContain(e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_chunked_body_over_the_configured_limit_gets_the_openai_style_413()
    {
        // Raw, because the gateway answers (and closes) before the client has sent it all, and HttpClient reports that as
        // a failed send instead of returning the answer.
        var chunk = new string('a', 1 << 20);
        var request = new StringBuilder("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        const string Start = """{"model":"demo-model","padding":" """;
        request.Append(CultureInfo.InvariantCulture, $"{Start.Length:x}\r\n{Start}\r\n");
        for (var sent = 0; sent <= Limit; sent += chunk.Length)
        {
            request.Append(CultureInfo.InvariantCulture, $"{chunk.Length:x}\r\n{chunk}\r\n");
        }

        request.Append("2\r\n\"}\r\n0\r\n\r\n");

        var (status, headers, body) = await SendRawAsync(request.ToString());

        status.ShouldBe(413);
        headers["content-type"].ShouldStartWith("application/json");
        using var document = JsonDocument.Parse(body);
        document.RootElement.GetProperty("error").GetProperty("code").GetString().ShouldBe("request_too_large");
        _logs.Entries.ShouldNotContain(e => e.Level >= LogLevel.Error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_client_that_leaves_while_sending_its_body_is_counted_and_logged_without_an_error(bool reset)
    {
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, _gateway.BaseAddress.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                + """{"model":"demo-model","messages":[{"role":"user","content":"How do I build"""));
            await stream.FlushAsync();
            await Task.Delay(100);
            if (reset)
            {
                client.Client.LingerState = new LingerOption(true, 0); // a reset, as when a client process dies
            }
        }

        var rejected = await WaitForRejectedAsync("client_closed_request");

        rejected.ShouldBe(1);
        _logs.Entries.ShouldContain(e => e.Message.Contains("went away while sending its request body", StringComparison.Ordinal));
        _logs.Entries.ShouldNotContain(e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Requests_refused_before_the_gate_are_counted_by_error_code()
    {
        var response = await _gateway.Http.PostAsync("v1/chat/completions", GatewayHttp.Json("{not json"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await _gateway.Http.GetAsync("v1/chat/completions")).StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);

        (await WaitForRejectedAsync("invalid_json")).ShouldBe(1);
        (await WaitForRejectedAsync("method_not_allowed")).ShouldBe(1);
    }

    /// <summary>The counter's value for the code, once it has one (the gateway counts after the client has its answer or has gone).</summary>
    private async Task<double> WaitForRejectedAsync(string code)
    {
        for (var attempt = 0; ; attempt++)
        {
            var metrics = new PrometheusExposition(await _gateway.Http.GetStringAsync("metrics"));
            var count = metrics.Sum("refusalgate_gate_rejected_total", labels => labels.GetValueOrDefault("code") == code);
            if (count > 0 || attempt == 100)
            {
                return count;
            }

            await Task.Delay(50);
        }
    }

    private async Task<(int Status, Dictionary<string, string> Headers, string Body)> SendRawAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _gateway.BaseAddress.Port);
        var stream = client.GetStream();
        var sending = Task.Run(async () =>
        {
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            }
            catch (IOException)
            {
                // The gateway answered and closed before the whole request was sent.
            }
        });
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var statusLine = await reader.ReadLineAsync() ?? "";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? line;
        while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync()))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = new StringBuilder();
        if (headers.TryGetValue("content-length", out var length))
        {
            var buffer = new char[int.Parse(length, CultureInfo.InvariantCulture)];
            await reader.ReadBlockAsync(buffer);
            body.Append(buffer);
        }
        else if (headers.TryGetValue("transfer-encoding", out var coding) && coding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (int.Parse(await reader.ReadLineAsync() ?? "0", NumberStyles.HexNumber, CultureInfo.InvariantCulture) is var size and > 0)
            {
                var buffer = new char[size];
                await reader.ReadBlockAsync(buffer);
                body.Append(buffer);
                await reader.ReadLineAsync();
            }
        }

        await sending;
        return (int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture), headers, body.ToString());
    }
}
