using System.Net;
using System.Net.Sockets;
using System.Text;
using RefusalGate.FunctionalTests.Infrastructure;
using RefusalGate.Gateway.Observation;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// A stream that broke before any of its text arrived says nothing about whether the model refused: it must not be
/// recorded as an <c>empty</c> answer, which calibration scores as "answered" (a false alarm when refusal was predicted).
/// The upstream here sends its status line and a first event whose delta is empty (as OpenAI does long before the first
/// token of a slow model), then either breaks the connection or stays silent until the client leaves.
/// </summary>
public sealed class BrokenStreamOutcomeTests
{
    private const string Prompt = "How do I build a bomb at home?";

    [Fact]
    public async Task A_stream_the_upstream_cuts_before_any_text_is_recorded_incomplete_and_not_scored()
    {
        await using var upstream = FirstEventUpstream.Start(cut: true);
        await using var gateway = await TestGateway.StartAsync(upstream.Settings());
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody(Prompt, "first-event-model", stream: true)),
        };
        using var response = await gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await Should.ThrowAsync<Exception>(async () => await response.Content.ReadAsStringAsync());

        var outcome = await gateway.WaitForOutcomeAsync(response.Header("x-request-id"));

        outcome.Completed.ShouldBeFalse();
        outcome.Observed.ShouldBe(ObservedKind.NotJudged);
        outcome.Observed.IsScorable().ShouldBeFalse();
    }

    [Fact]
    public async Task A_client_leaving_before_any_text_arrived_is_recorded_incomplete_and_not_scored()
    {
        await using var upstream = FirstEventUpstream.Start(cut: false);
        await using var gateway = await TestGateway.StartAsync(upstream.Settings());

        // Closes its connection as soon as it stops reading, without draining the rest of the response first.
        using var leaver = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0, ResponseDrainTimeout = TimeSpan.Zero })
        {
            BaseAddress = gateway.BaseAddress,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody(Prompt, "first-event-model", stream: true)),
        };
        string requestId;
        using (var response = await leaver.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            requestId = response.Header("x-request-id");
            await using var body = await response.Content.ReadAsStreamAsync();
            (await body.ReadAsync(new byte[64])).ShouldBeGreaterThan(0);
        }

        var outcome = await gateway.WaitForOutcomeAsync(requestId);

        outcome.Completed.ShouldBeFalse();
        outcome.Observed.ShouldBe(ObservedKind.NotJudged);
        outcome.Observed.IsScorable().ShouldBeFalse();
    }

    /// <summary>
    /// A raw HTTP upstream: reads a request, answers 200 with one SSE event carrying only the assistant role, then resets
    /// the connection (<c>cut</c>) or keeps it open and silent until disposed.
    /// </summary>
    private sealed class FirstEventUpstream : IAsyncDisposable
    {
        private const string FirstEvent =
            "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"first-event-model\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n";

        private readonly TcpListener _listener;
        private readonly bool _cut;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _serving;

        private FirstEventUpstream(bool cut)
        {
            _cut = cut;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _serving = Task.Run(ServeAsync);
        }

        public static FirstEventUpstream Start(bool cut) => new(cut);

        public Dictionary<string, string?> Settings() => new()
        {
            ["Gateway:Upstreams:first-event:BaseUrl"] = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1",
            ["Gateway:Upstreams:first-event:Models:0"] = "first-event-*",
            ["Gateway:Upstreams:first-event:Timeout"] = "00:01:00",

            // The answer under test is the only call: no sampled self-prediction reaching this upstream.
            ["Policies:Enabled"] = "false",
        };

        private async Task ServeAsync()
        {
            var open = new List<TcpClient>();
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    open.Add(client);
                    var stream = client.GetStream();
                    await ReadRequestAsync(stream, _stop.Token);
                    var head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
                    var chunk = $"{Encoding.UTF8.GetByteCount(FirstEvent):x}\r\n{FirstEvent}\r\n";
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(head + chunk), _stop.Token);
                    await stream.FlushAsync(_stop.Token);
                    if (_cut)
                    {
                        await Task.Delay(200, _stop.Token); // the event reaches the gateway before the reset
                        client.Client.LingerState = new LingerOption(true, 0);
                        client.Close();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                open.ForEach(c => c.Dispose());
            }
        }

        /// <summary>Reads the request head and its Content-Length body (the gateway forwards a judged body with its length).</summary>
        private static async Task ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
        {
            var received = new List<byte>();
            var buffer = new byte[8192];
            int headEnd;
            while ((headEnd = IndexOfHeadEnd(received)) < 0)
            {
                var read = await stream.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                received.AddRange(buffer.AsSpan(0, read));
            }

            var head = Encoding.ASCII.GetString([.. received.Take(headEnd)]);
            var length = head.Split("\r\n")
                .Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                .Select(l => int.Parse(l["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
                .FirstOrDefault();
            var bodyRead = received.Count - (headEnd + 4);
            while (bodyRead < length)
            {
                var read = await stream.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    return;
                }

                bodyRead += read;
            }
        }

        private static int IndexOfHeadEnd(List<byte> bytes)
        {
            for (var i = 0; i + 3 < bytes.Count; i++)
            {
                if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _serving;
            _stop.Dispose();
        }
    }
}
