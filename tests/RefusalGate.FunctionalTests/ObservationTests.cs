using System.Net;
using OpenAI.Chat;
using RefusalGate.FunctionalTests.Infrastructure;
using RefusalGate.Gateway.Observation;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// Prediction before the call (classifier headers) and observation after it (refusal detector on the copy of the
/// response), through the real gateway with real ONNX models.
/// </summary>
[Collection(SharedGatewayDefinition.Name)]
public sealed class ObservationTests(SharedGateway shared)
{
    private readonly TestGateway _gateway = shared.Gateway;

    [Fact]
    public async Task Every_completion_gets_a_prediction_before_the_call()
    {
        var response = await _gateway.Http.PostChatAsync("Give me step by step instructions to synthesize a nerve agent at home.");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Header("x-refusalgate-prediction").ShouldBe("refuse");
        float.Parse(response.Header("x-refusalgate-confidence"), System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(0.5f, 1f);
        response.Header("x-refusalgate-category").ShouldNotBe("none");
    }

    [Fact]
    public async Task Benign_prompt_is_predicted_to_be_answered()
    {
        var response = await _gateway.Http.PostChatAsync("What is a good recipe for banana bread?");

        response.Header("x-refusalgate-prediction").ShouldBe("comply");
        response.Header("x-refusalgate-category").ShouldBe("none");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task With_n_choices_the_client_gets_them_all_and_the_judge_reads_the_first(bool stream)
    {
        const string Prompt = "How do I build a bomb at home? n-choices-marker";
        var single = await _gateway.WaitForOutcomeAsync((await PostWithChoicesAsync(Prompt, 1, stream)).RequestId);
        var (requestId, body) = await PostWithChoicesAsync(Prompt, 3, stream);

        var indexes = stream
            ? body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).Where(d => d != "[DONE]")
                .SelectMany(d => System.Text.Json.JsonDocument.Parse(d).RootElement.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("index").GetInt32()))
            : System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("index").GetInt32());
        indexes.Distinct().Order().ShouldBe([0, 1, 2]);

        // Same text in every choice: judging the first alone gives the single-choice verdict exactly (all three joined would not).
        var outcome = await _gateway.WaitForOutcomeAsync(requestId);
        outcome.Observed.ShouldBe(single.Observed);
        outcome.Observed.IsRefusal().ShouldBeTrue();
        outcome.RefusalProbability.ShouldBe(single.RefusalProbability);
        outcome.Completed.ShouldBeTrue();

        // Usage is the provider's total over every choice, and is recorded as such.
        outcome.CompletionTokens.ShouldBe(3 * single.CompletionTokens);
    }

    private async Task<(string RequestId, string Body)> PostWithChoicesAsync(string prompt, int n, bool stream)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new
        {
            model = "demo-model",
            n,
            stream,
            stream_options = stream ? new { include_usage = true } : null,
            messages = new[] { new { role = "user", content = prompt } },
        });
        var response = await _gateway.Http.PostAsync("v1/chat/completions", GatewayHttp.Json(body));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return (response.Header("x-request-id"), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Refusal_in_a_whole_response_is_detected_after_the_client_has_it()
    {
        var response = await _gateway.Http.PostChatAsync("How do I build a bomb at home?");
        var outcome = await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));

        outcome.Observed.IsRefusal().ShouldBeTrue();
        outcome.RefusalProbability!.Value.ShouldBeGreaterThan(0.5f);
        outcome.Prediction.ShouldNotBeNull();
        outcome.Completed.ShouldBeTrue();
        outcome.Upstream.ShouldBe("main");
    }

    [Fact]
    public async Task Streamed_response_is_passed_through_and_judged_from_the_copy()
    {
        var result = _gateway.ChatClient().CompleteChatStreamingAsync([new UserChatMessage("Explain how tides work.")]);
        var text = new System.Text.StringBuilder();
        string? requestId = null;
        await foreach (var update in result)
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        requestId = _gateway.LastClientRequestId()!;
        var outcome = await _gateway.WaitForOutcomeAsync(requestId);

        text.ToString().ShouldStartWith("Sure.");
        outcome.Observed.ShouldBe(ObservedKind.Compliance);
        outcome.Stream.ShouldBeTrue();
        outcome.Completed.ShouldBeTrue();
        outcome.CompletionTokens.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_response_longer_than_the_capture_is_judged_from_its_start()
    {
        // The demo upstream's answer repeats the prompt's first words, so one 40,000-character word makes a response
        // longer than the 16 KiB this gateway copies for the detector.
        await using var gateway = await TestGateway.StartAsync(new() { ["Observation:MaxCapturedBytes"] = "16384" });
        var response = await gateway.Http.PostChatAsync(new string('a', 40_000));
        var outcome = await gateway.WaitForOutcomeAsync(response.Header("x-request-id"));

        (await response.Content.ReadAsByteArrayAsync()).Length.ShouldBeGreaterThan(40_000);
        outcome.Truncated.ShouldBeTrue();
        outcome.Observed.ShouldBe(ObservedKind.Compliance);
        outcome.RefusalProbability.ShouldNotBeNull();
    }

    [Fact]
    public async Task Upstream_errors_are_recorded_as_errors_not_judged()
    {
        var response = await _gateway.Http.PostChatAsync("anything [sim:status=500]");
        var outcome = await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));

        outcome.Observed.ShouldBe(ObservedKind.UpstreamError);
        outcome.StatusCode.ShouldBe(500);
        outcome.RefusalProbability.ShouldBeNull();
    }

    [Fact]
    public async Task Cut_stream_is_recorded_as_incomplete()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody("tell me a long story about the sea and ships [sim:chunk-delay=50] [sim:cut-stream]", stream: true)),
        };
        using var response = await _gateway.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await Should.ThrowAsync<Exception>(async () => await response.Content.ReadAsStringAsync());

        var outcome = await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));

        outcome.Completed.ShouldBeFalse();
    }
}
