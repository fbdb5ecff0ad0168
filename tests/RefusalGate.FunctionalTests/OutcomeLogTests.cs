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

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        StreamEntry[] entries = [];
        for (var i = 0; i < 300 && entries.Length < 3; i++)
        {
            entries = await connection.GetDatabase().StreamRangeAsync("refusalgate:outcomes");
            await Task.Delay(50);
        }

        entries.Length.ShouldBe(3);
        foreach (var entry in entries)
        {
            var fields = entry.Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString());
            var response = sent[fields["request_id"]];
            fields["predicted_refusal"].ShouldBe(response.Header("x-refusalgate-prediction") == "refuse" ? "1" : "0");
            fields["category"].ShouldBe(response.Header("x-refusalgate-category"));
            var confidence = float.Parse(fields["confidence"], CultureInfo.InvariantCulture);
            confidence.ShouldBe(float.Parse(response.Header("x-refusalgate-confidence"), CultureInfo.InvariantCulture), 0.001f);
            fields["status"].ShouldBe(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
        }

        entries.Select(e => e.Values.First(v => v.Name == "actual").Value.ToString()).ShouldContain("upstream_error");
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

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        StreamEntry[] entries = [];
        for (var i = 0; i < 300 && entries.Length < 2; i++)
        {
            entries = await connection.GetDatabase().StreamRangeAsync("refusalgate:outcomes");
            await Task.Delay(50);
        }

        var expectedHash = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes("pepper-from-a-secret"), System.Text.Encoding.UTF8.GetBytes(prompt)));
        entries.Length.ShouldBe(2);
        foreach (var fields in entries.Select(e => e.Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString())))
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
