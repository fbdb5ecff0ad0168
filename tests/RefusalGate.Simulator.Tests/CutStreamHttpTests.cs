using System.Net;
using System.Text;

namespace RefusalGate.Simulator.Tests;

/// <summary>
/// <c>[sim:cut-stream]</c> simulates an upstream that breaks a stream mid-way: the status line and part of the
/// answer arrive, then the connection breaks, with no finish reason and no <c>[DONE]</c>.
/// </summary>
public sealed class CutStreamHttpTests(RunningSimulator simulator) : IClassFixture<RunningSimulator>
{
    private readonly HttpClient _client = simulator.Client;

    [Theory]
    [InlineData("tell me a long story about the sea and ships [sim:cut-stream]")]
    [InlineData("hi [sim:cut-stream]")]
    public async Task A_cut_stream_sends_its_status_and_a_chunk_before_the_connection_breaks(string prompt)
    {
        // The cut is a connection reset after a short grace for the flushed chunks to leave; a reset can still overtake
        // them on a loaded machine (the peer discards what it had not read), so an attempt may fail before the status
        // line. What must hold: no attempt ends normally, and cuts after the status line and some content do happen.
        var cutMidStream = 0;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = RunningSimulator.Json($$"""{"model":"demo-model","stream":true,"messages":[{"role":"user","content":"{{prompt}}"}]}"""),
            };

            var received = new StringBuilder();
            var headersArrived = false;
            try
            {
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                headersArrived = true;
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                await using var body = await response.Content.ReadAsStreamAsync();
                var buffer = new byte[4096];
                int read;
                while ((read = await body.ReadAsync(buffer)) > 0)
                {
                    received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }

                throw new ShouldAssertException($"the stream ended normally: {received}");
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                received.ToString().ShouldNotContain("[DONE]");
                received.ToString().ShouldNotContain("\"finish_reason\":\"stop\"");
                cutMidStream += headersArrived && received.ToString().Contains("\"content\":", StringComparison.Ordinal) ? 1 : 0;
            }
        }

        cutMidStream.ShouldBeGreaterThan(0, "no attempt got the status line and some content before the cut");
    }
}
