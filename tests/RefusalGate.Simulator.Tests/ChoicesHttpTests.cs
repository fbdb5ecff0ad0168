using System.Net;
using System.Text.Json;

namespace RefusalGate.Simulator.Tests;

/// <summary><c>n</c> asks for that many choices, whole or streamed, up to OpenAI's limit; beyond it, OpenAI's 400.</summary>
public sealed class ChoicesHttpTests(RunningSimulator simulator) : IClassFixture<RunningSimulator>
{
    private readonly HttpClient _client = simulator.Client;

    private Task<HttpResponseMessage> PostAsync(string path, string json) => _client.PostAsync(path, RunningSimulator.Json(json));

    private static string Chat(string n, bool stream = false, string prompt = "Write a poem about autumn.") =>
        $$"""{"model":"demo-model","stream":{{(stream ? "true" : "false")}},"n":{{n}},"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"{{prompt}}"}]}""";

    [Fact]
    public async Task A_whole_answer_has_n_choices_indexed_in_order_and_usage_for_all_of_them()
    {
        using var single = JsonDocument.Parse(await (await PostAsync("/v1/chat/completions", Chat("1"))).Content.ReadAsStringAsync());
        using var response = await PostAsync("/v1/chat/completions", Chat("3"));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var choices = document.RootElement.GetProperty("choices").EnumerateArray().ToList();
        choices.Select(c => c.GetProperty("index").GetInt32()).ShouldBe([0, 1, 2]);
        var text = single.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        choices.ShouldAllBe(c => c.GetProperty("message").GetProperty("content").GetString() == text && c.GetProperty("finish_reason").GetString() == "stop");
        var singleTokens = single.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        document.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32().ShouldBe(3 * singleTokens);
    }

    [Fact]
    public async Task A_text_completion_has_n_choices_too()
    {
        using var response = await PostAsync("/v1/completions", """{"model":"demo-model","n":2,"prompt":"Write a haiku about rain"}""");

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        document.RootElement.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("index").GetInt32()).ShouldBe([0, 1]);
    }

    [Fact]
    public async Task A_stream_carries_every_choice_from_its_role_to_its_finish_reason()
    {
        using var response = await PostAsync("/v1/chat/completions", Chat("2", stream: true));

        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).ToList();
        events[^1].ShouldBe("[DONE]");
        var chunks = events[..^1].Select(data => JsonDocument.Parse(data).RootElement).ToList();
        var usage = chunks[^1];
        usage.GetProperty("choices").GetArrayLength().ShouldBe(0);
        var perChoice = chunks[..^1].Select(c => c.GetProperty("choices").EnumerateArray().ShouldHaveSingleItem()).GroupBy(c => c.GetProperty("index").GetInt32()).ToList();
        perChoice.Select(g => g.Key).ShouldBe([0, 1]);
        var texts = perChoice.Select(g => string.Concat(g.Select(c => c.GetProperty("delta").TryGetProperty("content", out var content) ? content.GetString() : ""))).ToList();
        texts[0].ShouldNotBeEmpty();
        texts[1].ShouldBe(texts[0]);
        perChoice.ShouldAllBe(g => g.First().GetProperty("delta").GetProperty("role").GetString() == "assistant");
        perChoice.ShouldAllBe(g => g.Last().GetProperty("finish_reason").GetString() == "stop");
        usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32().ShouldBe(2 * Math.Max(1, texts[0].Length / 4));

        // Under include_usage every chunk before the usage chunk says "usage": null, as OpenAI's do.
        chunks[..^1].ShouldAllBe(c => c.GetProperty("usage").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task A_stream_without_include_usage_has_no_usage_field()
    {
        using var response = await PostAsync("/v1/chat/completions", """{"model":"demo-model","stream":true,"messages":[{"role":"user","content":"Write a poem about autumn."}]}""");

        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).ToList();
        events[^1].ShouldBe("[DONE]");
        foreach (var chunk in events[..^1].Select(data => JsonDocument.Parse(data).RootElement))
        {
            chunk.TryGetProperty("usage", out _).ShouldBeFalse();
        }
    }

    [Theory]
    [InlineData("null", 1)]
    [InlineData("1", 1)]
    [InlineData("128", 128)]
    public async Task N_up_to_the_limit_is_served(string n, int choices)
    {
        using var response = await PostAsync("/v1/chat/completions", Chat(n));

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        document.RootElement.GetProperty("choices").GetArrayLength().ShouldBe(choices);
    }

    [Theory]
    [InlineData("129", "integer_above_max_value")]
    [InlineData("100000", "integer_above_max_value")]
    [InlineData("0", "integer_below_min_value")]
    [InlineData("-2", "integer_below_min_value")]
    [InlineData("\"2\"", "invalid_type")]
    [InlineData("1.5", "invalid_type")]
    public async Task N_outside_the_limits_gets_openais_400(string n, string code)
    {
        using var response = await PostAsync("/v1/chat/completions", Chat(n));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = document.RootElement.GetProperty("error");
        error.GetProperty("code").GetString().ShouldBe(code);
        error.GetProperty("param").GetString().ShouldBe("n");
        error.GetProperty("type").GetString().ShouldBe("invalid_request_error");
        error.GetProperty("message").GetString()!.ShouldContain("'n'");
    }
}
