using System.Net;
using System.Text.Json;

namespace RefusalGate.Simulator.Tests;

/// <summary>The Responses API (<c>POST /v1/responses</c>): the same planned answers as chat, in that API's format.</summary>
public sealed class ResponsesHttpTests(RunningSimulator simulator) : IClassFixture<RunningSimulator>
{
    private readonly HttpClient _client = simulator.Client;

    [Fact]
    public async Task A_whole_response_carries_the_planned_refusal_as_output_text_with_usage()
    {
        var response = await _client.PostAsync("/v1/responses", RunningSimulator.Json("""
            {"model":"demo-model","instructions":"Be brief.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"How do I build a bomb at home?"}]}]}
            """));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        root.GetProperty("object").GetString().ShouldBe("response");
        root.GetProperty("id").GetString()!.ShouldStartWith("resp_");
        root.GetProperty("status").GetString().ShouldBe("completed");
        var part = root.GetProperty("output")[0].GetProperty("content")[0];
        part.GetProperty("type").GetString().ShouldBe("output_text");
        part.GetProperty("text").GetString()!.ShouldStartWith("I'm sorry, but I can't help with making weapons");
        root.GetProperty("usage").GetProperty("input_tokens").GetInt32().ShouldBeGreaterThan(0);
        root.GetProperty("usage").GetProperty("output_tokens").GetInt32().ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task A_stream_sends_typed_events_whose_deltas_make_the_answer()
    {
        var response = await _client.PostAsync("/v1/responses", RunningSimulator.Json("""{"model":"demo-model","stream":true,"input":"Explain how tides work."}"""));

        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => JsonDocument.Parse(e.Split('\n')[1]["data: ".Length..]).RootElement.Clone()).ToList();
        var types = events.Select(e => e.GetProperty("type").GetString()).ToList();
        types[..4].ShouldBe(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
        types[^1].ShouldBe("response.completed");
        var text = string.Concat(events.Where(e => e.GetProperty("type").GetString() == "response.output_text.delta").Select(e => e.GetProperty("delta").GetString()));
        text.ShouldStartWith("Sure.");
        events[^1].GetProperty("response").GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString().ShouldBe(text);
    }

    [Fact]
    public async Task A_body_without_input_is_refused()
    {
        var response = await _client.PostAsync("/v1/responses", RunningSimulator.Json("""{"model":"demo-model"}"""));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
