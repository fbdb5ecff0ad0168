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
        // Repeated: the cut must not race the chunks already written (it once reset the connection before any byte left).
        for (var attempt = 0; attempt < 10; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = RunningSimulator.Json($$"""{"model":"demo-model","stream":true,"messages":[{"role":"user","content":"{{prompt}}"}]}"""),
            };

            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            var received = new StringBuilder();
            var broke = false;
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[4096];
            try
            {
                int read;
                while ((read = await body.ReadAsync(buffer)) > 0)
                {
                    received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                broke = true;
            }

            broke.ShouldBeTrue();
            received.ToString().ShouldContain("\"content\":");
            received.ToString().ShouldNotContain("[DONE]");
            received.ToString().ShouldNotContain("\"finish_reason\":\"stop\"");
        }
    }
}
