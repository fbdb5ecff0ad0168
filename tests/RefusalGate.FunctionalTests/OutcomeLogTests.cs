using System.Globalization;
using RefusalGate.FunctionalTests.Infrastructure;
using RefusalGate.Gateway.Tests.OutcomeLog;
using StackExchange.Redis;

namespace RefusalGate.FunctionalTests;

/// <summary>Every request through a gateway started with a Redis outcome log lands in the stream, matching its headers.</summary>
public sealed class OutcomeLogTests
{
    [Fact]
    public async Task Each_request_is_recorded_in_redis_with_the_prediction_its_headers_reported()
    {
        using var redis = RedisServer.Start();
        await using var gateway = await TestGateway.StartAsync(new() { ["OutcomeLog:Redis"] = redis.Configuration, ["OutcomeLog:FlushInterval"] = "00:00:00.020" });
        var sent = new Dictionary<string, HttpResponseMessage>();
        foreach (var prompt in new[] { "How do I build a bomb?", "What is the boiling point of water?", "Write a poem about autumn. [sim:status=503]" })
        {
            var response = await gateway.Http.PostChatAsync(prompt);
            sent[response.Header("x-request-id")] = response;
        }

        var records = await ReadRecordsAsync(redis, count: 3);
        foreach (var (requestId, fields) in records)
        {
            var response = sent[requestId];
            fields["predicted_refusal"].ShouldBe(response.Header("x-refusalgate-prediction") == "refuse" ? "1" : "0");
            fields["category"].ShouldBe(response.Header("x-refusalgate-category"));
            var confidence = float.Parse(fields["confidence"], CultureInfo.InvariantCulture);
            confidence.ShouldBe(float.Parse(response.Header("x-refusalgate-confidence"), CultureInfo.InvariantCulture), 0.001f);
            fields["status"].ShouldBe(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
        }

        records.Values.Select(fields => fields["actual"]).ShouldContain("upstream_error");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Prompts_are_stored_as_a_salted_hash_and_as_text_only_when_configured(bool storePrompts)
    {
        using var redis = RedisServer.Start();
        await using var gateway = await TestGateway.StartAsync(new()
        {
            ["OutcomeLog:Redis"] = redis.Configuration,
            ["OutcomeLog:FlushInterval"] = "00:00:00.020",
            ["OutcomeLog:PromptHashSalt"] = "pepper-from-a-secret",
            ["OutcomeLog:StorePrompts"] = storePrompts ? "true" : "false",
        });
        const string prompt = "What is the boiling point of water?";
        (await gateway.Http.PostChatAsync(prompt)).EnsureSuccessStatusCode();
        (await gateway.Http.PostChatAsync(prompt, stream: true)).EnsureSuccessStatusCode();

        var records = await ReadRecordsAsync(redis, count: 2);
        var expectedHash = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes("pepper-from-a-secret"), System.Text.Encoding.UTF8.GetBytes(prompt)));
        foreach (var fields in records.Values)
        {
            fields["prompt_hash"].ShouldBe(expectedHash);
            if (storePrompts)
            {
                fields["prompt"].ShouldBe(prompt);
            }
            else
            {
                fields.Keys.ShouldNotContain("prompt");
                fields.Values.ShouldNotContain(v => v.Contains("boiling", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public async Task A_stored_prompt_cut_at_the_limit_is_flagged_with_its_full_length()
    {
        using var redis = RedisServer.Start();
        await using var gateway = await TestGateway.StartAsync(new()
        {
            ["OutcomeLog:Redis"] = redis.Configuration,
            ["OutcomeLog:FlushInterval"] = "00:00:00.020",
            ["OutcomeLog:StorePrompts"] = "true",
            ["OutcomeLog:MaxStoredPromptChars"] = "20",
        });

        // The 20th and 21st UTF-16 units are one emoji: the cut leaves the pair out rather than keep half of it.
        const string Long = "What is the boiling\U0001F321 point of water at altitude?";
        const string Short = "Hi there";
        var cut = await gateway.Http.PostChatAsync(Long);
        var whole = await gateway.Http.PostChatAsync(Short);

        var records = await ReadRecordsAsync(redis, count: 2);
        var cutFields = records[cut.Header("x-request-id")];
        cutFields["prompt"].ShouldBe("What is the boiling");
        cutFields["prompt_truncated"].ShouldBe("1");
        cutFields["prompt_chars"].ShouldBe(Long.Length.ToString(CultureInfo.InvariantCulture));
        var wholeFields = records[whole.Header("x-request-id")];
        wholeFields["prompt"].ShouldBe(Short);
        wholeFields["prompt_truncated"].ShouldBe("0");
        wholeFields["prompt_chars"].ShouldBe(Short.Length.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The stream's records by request id, once <paramref name="count"/> have arrived.</summary>
    private static async Task<Dictionary<string, Dictionary<string, string>>> ReadRecordsAsync(RedisServer redis, int count)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        StreamEntry[] entries = [];

        // A bound so a broken build fails instead of hanging; not a latency assertion.
        for (var i = 0; i < 300 && entries.Length < count; i++)
        {
            entries = await connection.GetDatabase().StreamRangeAsync("refusalgate:outcomes");
            await Task.Delay(50);
        }

        entries.Length.ShouldBe(count);
        return entries
            .Select(e => e.Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString()))
            .ToDictionary(fields => fields["request_id"]);
    }

    [Fact]
    public async Task With_the_detector_queue_full_every_request_is_still_recorded_and_only_the_judgement_is_skipped()
    {
        using var redis = RedisServer.Start();
        await using var gateway = await TestGateway.StartAsync(new()
        {
            ["OutcomeLog:Redis"] = redis.Configuration,
            ["OutcomeLog:FlushInterval"] = "00:00:00.020",
            ["Observation:QueueCapacity"] = "1",
        });
        const int requests = 40;

        var responses = await Task.WhenAll(Enumerable.Range(0, requests).Select(i => gateway.Http.PostChatAsync($"Write a poem about autumn number {i}.")));

        responses.ShouldAllBe(r => r.IsSuccessStatusCode);
        var records = await ReadRecordsAsync(redis, count: requests);
        records.Keys.ShouldBe(responses.Select(r => r.Header("x-request-id")), ignoreOrder: true);
        var metrics = await gateway.Http.GetStringAsync("metrics");
        var dropped = MetricValue(metrics, "refusalgate_responses_observation_dropped_total");
        var unjudged = records.Values.Where(fields => fields["actual"] == "not_judged").ToList();
        ((long)unjudged.Count).ShouldBe(dropped);
        unjudged.ShouldAllBe(fields => !fields.ContainsKey("actual_probability"));
        records.Values.Where(fields => fields["actual"] != "not_judged").ShouldAllBe(fields => fields["actual"] == "compliance" || fields["actual"].EndsWith("_refusal"));

        // Only the judged requests are scored (the calibration counts the records carry).
        MetricValue(metrics, "refusalgate_calibration_samples{category=\"all\",model=\"all\",source=\"classifier\",window=\"total\"}").ShouldBe(requests - dropped);
    }

    private static long MetricValue(string metrics, string series) =>
        (long)double.Parse(metrics.Split('\n').Single(line => line.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], CultureInfo.InvariantCulture);

    [Fact]
    public async Task With_the_detector_off_every_request_is_still_recorded_as_not_judged()
    {
        await using var gateway = await TestGateway.StartAsync(new() { ["Observation:Enabled"] = "false" });
        var answered = await gateway.Http.PostChatAsync("How do I build a bomb?");
        var failed = await gateway.Http.PostChatAsync("Write a poem about autumn. [sim:status=503]");

        var outcome = await gateway.WaitForOutcomeAsync(answered.Header("x-request-id"));
        outcome.Observed.ShouldBe(Gateway.Observation.ObservedKind.NotJudged);
        outcome.RefusalProbability.ShouldBeNull();
        outcome.Prediction.ShouldNotBeNull();
        (await gateway.WaitForOutcomeAsync(failed.Header("x-request-id"))).Observed.ShouldBe(Gateway.Observation.ObservedKind.UpstreamError);
        (await gateway.Http.GetStringAsync("metrics")).ShouldNotContain("refusalgate_calibration_samples");
    }
}
