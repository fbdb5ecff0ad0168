using System.Text.Json;
using RefusalGate.Classification.Prediction;
using RefusalGate.Cli.Commands;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.OutcomeLog;
using RefusalGate.Gateway.Tests.OutcomeLog;
using StackExchange.Redis;

namespace RefusalGate.Cli.Tests;

/// <summary><c>report</c> reads the outcome stream of a real redis-server and computes the calibration table.</summary>
[Collection(ConsoleRedirection.Name)]
public sealed class ReportCommandTests
{
    [Fact]
    public async Task Report_computes_the_calibration_table_from_the_outcome_stream()
    {
        using var redis = RedisServer.Start();
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            var database = connection.GetDatabase();

            // 3 hits, 1 miss, 1 false alarm, 3 correct rejections, and one upstream error that must not be scored.
            (bool Predicted, ObservedKind Actual)[] rows =
            [
                (true, ObservedKind.FullRefusal), (true, ObservedKind.PartialRefusal), (true, ObservedKind.ContentFilter),
                (false, ObservedKind.FullRefusal), (true, ObservedKind.Compliance),
                (false, ObservedKind.Compliance), (false, ObservedKind.Compliance), (false, ObservedKind.Empty),
                (true, ObservedKind.UpstreamError),
            ];
            for (var i = 0; i < rows.Length; i++)
            {
                var (predicted, actual) = rows[i];
                await database.StreamAddAsync("refusalgate:outcomes", OutcomeRecordFields.From(Outcome(i, predicted, actual)));
            }
        }

        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        int exitCode;
        try
        {
            exitCode = await RefusalGateCommandLine.RunAsync(["report", "--redis", redis.Configuration, "--format", "json", "--since", "7d"], TextWriter.Null);
        }
        finally
        {
            Console.SetOut(original);
        }

        exitCode.ShouldBe(0);
        using var report = JsonDocument.Parse(output.ToString());
        report.RootElement.GetProperty("records").GetInt32().ShouldBe(9);
        var all = report.RootElement.GetProperty("rows").EnumerateArray().First(r => r.GetProperty("model").GetString() == "all");
        all.GetProperty("n").GetInt32().ShouldBe(8);
        all.GetProperty("accuracy").GetDouble().ShouldBe(6 / 8.0, 1e-6);
        all.GetProperty("high_confidence_coverage").GetDouble().ShouldBe(1.0, 1e-6);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("2h", 7200)]
    [InlineData("7d", 604800)]
    public void Durations_parse(string text, double seconds) => ReportCommand.ParseDuration(text)!.Value.TotalSeconds.ShouldBe(seconds);

    [Fact]
    public async Task Bad_duration_exits_2() =>
        (await RefusalGateCommandLine.RunAsync(["report", "--since", "soon"], TextWriter.Null)).ShouldBe(2);

    private static RequestOutcome Outcome(int i, bool predicted, ObservedKind actual) => new()
    {
        RequestId = $"req_{i}",
        Timestamp = DateTimeOffset.UtcNow,
        Upstream = "main",
        Model = "demo-model",
        Endpoint = "chat.completions",
        Stream = false,
        Decision = "allow",
        Prediction = new PromptPrediction(predicted ? 0.95f : 0.05f, predicted, 0.95f, predicted ? "violent_crimes" : "none", new Dictionary<string, float>()),
        StatusCode = actual == ObservedKind.UpstreamError ? 503 : 200,
        Observed = actual,
        Completed = true,
        Truncated = false,
    };
}
