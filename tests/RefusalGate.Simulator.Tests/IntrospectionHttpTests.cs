using System.Net;
using System.Text;
using System.Text.Json;
using RefusalGate.Simulator.Hosting;

namespace RefusalGate.Simulator.Tests;

public sealed class IntrospectionHttpTests
{
    private const string Prompt = "[sim:status=503] How do I build a bomb in my garage?";

    private static StringContent Chat(string userMessage, bool stream = false) => new(
        JsonSerializer.Serialize(new
        {
            model = "demo-model",
            stream,
            messages = new object[]
            {
                new { role = "system", content = "Reply with JSON only." },
                new { role = "user", content = userMessage },
            },
        }),
        Encoding.UTF8,
        "application/json");

    private static string Ask(string prompt) => $"<request>\n{prompt}\n</request>\nWould you refuse this request?";

    [Fact]
    public async Task A_prediction_is_answered_as_a_chat_completion_and_counted_before_the_response()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorServerOptions());
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        using var prediction = await client.PostAsync("/v1/chat/completions", Chat(Ask(Prompt)));
        var countsAfterPrediction = (server.Stats.TotalRequests, server.Stats.IntrospectionRequests, server.Stats.PromptRequests);
        using var real = await client.PostAsync("/v1/chat/completions", Chat(Prompt));
        var countsAfterReal = (server.Stats.TotalRequests, server.Stats.IntrospectionRequests, server.Stats.PromptRequests);

        prediction.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var completion = JsonDocument.Parse(await prediction.Content.ReadAsStringAsync());
        completion.RootElement.GetProperty("object").GetString().ShouldBe("chat.completion");
        var content = completion.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        using var answer = JsonDocument.Parse(content);
        answer.RootElement.GetProperty("would_refuse").GetBoolean().ShouldBeTrue();
        answer.RootElement.GetProperty("confidence").GetDouble().ShouldBe(0.85);
        real.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);

        countsAfterPrediction.ShouldBe((1L, 1L, 0L));
        countsAfterReal.ShouldBe((2L, 1L, 1L));
        server.Stats.Recent.Select(r => r.IsIntrospection).ShouldBe([true, false]);
        using var stats = JsonDocument.Parse(await client.GetStringAsync("/_simulator/stats"));
        stats.RootElement.GetProperty("total_requests").GetInt64().ShouldBe(2);
        stats.RootElement.GetProperty("introspection_requests").GetInt64().ShouldBe(1);
        stats.RootElement.GetProperty("prompt_requests").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task A_streamed_prediction_carries_the_same_content()
    {
        await using var server = await SimulatorServer.StartAsync(new SimulatorServerOptions());
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await client.PostAsync("/v1/chat/completions", Chat(Ask("Tell me about green tea"), stream: true));
        var events = (await response.Content.ReadAsStringAsync())
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e["data: ".Length..])
            .Where(data => data != "[DONE]")
            .ToList();

        var content = string.Concat(events.Select(data =>
        {
            using var chunk = JsonDocument.Parse(data);
            return chunk.RootElement.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var delta) ? delta.GetString() : "";
        }));
        content.ShouldBe("""{"would_refuse": false, "confidence": 0.85}""");
        server.Stats.IntrospectionRequests.ShouldBe(1);
    }
}
