using System.Net;
using System.Text.Json;

namespace RefusalGate.Simulator.Tests;

/// <summary>
/// What the simulator does not serve (embeddings, a model by id, ...) gets OpenAI's JSON 404, so a client sees the
/// error the provider would give instead of an empty 404 ("404 status code (no body)" in the Node SDK).
/// </summary>
public sealed class UnknownRouteHttpTests(RunningSimulator simulator) : IClassFixture<RunningSimulator>
{
    private readonly HttpClient _client = simulator.Client;

    [Theory]
    [InlineData("POST", "/v1/embeddings")]
    [InlineData("GET", "/v1/models/demo-model")]
    [InlineData("GET", "/v2/anything")]
    public async Task An_unknown_route_gets_openais_404(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = RunningSimulator.Json("""{"model":"demo-model","input":"hi"}""");
        }

        using var response = await _client.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = document.RootElement.GetProperty("error");
        error.GetProperty("message").GetString().ShouldBe($"Invalid URL ({method} {path})");
        error.GetProperty("type").GetString().ShouldBe("invalid_request_error");
        error.GetProperty("param").ValueKind.ShouldBe(JsonValueKind.Null);
        error.GetProperty("code").ValueKind.ShouldBe(JsonValueKind.Null);
    }
}
