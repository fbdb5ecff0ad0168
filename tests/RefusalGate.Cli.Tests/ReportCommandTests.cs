using System.Text.Json;
using RefusalGate.Classification.Prediction;
using RefusalGate.Cli.Commands;
using RefusalGate.Gateway.Calibration;
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
            var shared = new CalibrationTable(0.9);
            for (var i = 0; i < rows.Length; i++)
            {
                var (predicted, actual) = rows[i];
                var outcome = Outcome(i, predicted, actual);
                await database.StreamAddAsync("refusalgate:outcomes", OutcomeRecordFields.From(outcome));
                foreach (var score in CalibrationSources.Of(outcome))
                {
                    shared.Add(score);
                }
            }

            // What the gateway's writer adds to the shared hashes for these records.
            var increments = new List<Task>();
            CalibrationHashes.QueueIncrements(database, new OutcomeLogOptions().AggregateKeyPrefix, shared, increments);
            await Task.WhenAll(increments);
        }

        using var fromStream = await ReportAsync("report", "--redis", redis.Configuration, "--format", "json", "--since", "7d");
        fromStream.RootElement.GetProperty("from").GetString().ShouldBe("stream");
        fromStream.RootElement.GetProperty("records").GetInt32().ShouldBe(9);
        var all = fromStream.RootElement.GetProperty("rows").EnumerateArray().First(r => r.GetProperty("model").GetString() == "all");
        all.GetProperty("n").GetInt32().ShouldBe(8);
        all.GetProperty("accuracy").GetDouble().ShouldBe(6 / 8.0, 1e-6);
        all.GetProperty("high_confidence_coverage").GetDouble().ShouldBe(1.0, 1e-6);

        // Without --since the table comes from the shared aggregates, and says the same.
        using var fromAggregates = await ReportAsync("report", "--redis", redis.Configuration, "--format", "json");
        fromAggregates.RootElement.GetProperty("from").GetString().ShouldBe("aggregates");
        fromAggregates.RootElement.GetProperty("rows").ToString().ShouldBe(fromStream.RootElement.GetProperty("rows").ToString());
    }

    [Fact]
    public async Task Table_cells_show_model_names_literally_not_as_markup()
    {
        using var redis = RedisServer.Start();
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            foreach (var model in new[] { "gpt[1]", "[red]x[/]" })
            {
                await connection.GetDatabase().StreamAddAsync("refusalgate:outcomes", OutcomeRecordFields.From(Outcome(1, true, ObservedKind.FullRefusal) with { Model = model }));
            }
        }

        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            (await RefusalGateCommandLine.RunAsync(["report", "--redis", redis.Configuration, "--since", "1h"], TextWriter.Null)).ShouldBe(0);
        }
        finally
        {
            Console.SetOut(original);
        }

        output.ToString().ShouldContain("gpt[1]");
        output.ToString().ShouldContain("[red]x[/]");
    }

    [Fact]
    public async Task Ctrl_c_while_waiting_for_redis_exits_130_with_one_line()
    {
        // A server that accepts the connection and never answers: the client would wait for its connect timeout.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        using var error = new StringWriter();
        using var ctrlC = new CancellationTokenSource();

        var run = RefusalGateCommandLine.RunAsync(["report", "--redis", silent.LocalEndpoint.ToString()!], error, ctrlC.Token);
        await ctrlC.CancelAsync();

        (await run).ShouldBe(RefusalGateCommandLine.ExitInterrupted);
        error.ToString().Trim().ShouldBe("refusalgate: interrupted.");
    }

    [Fact]
    public async Task Since_cannot_be_combined_with_the_aggregates() =>
        (await RefusalGateCommandLine.RunAsync(["report", "--from", "aggregates", "--since", "1h"], TextWriter.Null)).ShouldBe(2);

    [Theory]
    [InlineData("report", "--high-confidence", "0.95")]
    [InlineData("report", "--from", "aggregates", "--high-confidence", "0.95")]
    public async Task A_high_confidence_threshold_cannot_be_asked_of_the_aggregates(params string[] args)
    {
        // The shared counts were taken at the gateway's threshold: a figure at another one cannot come from them, and
        // printing the gateway's under the threshold asked for would mislead.
        using var error = new StringWriter();

        (await RefusalGateCommandLine.RunAsync(args, error)).ShouldBe(2);
        error.ToString().ShouldContain("--high-confidence");
    }

    private static async Task<JsonDocument> ReportAsync(params string[] args)
    {
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            (await RefusalGateCommandLine.RunAsync(args, TextWriter.Null)).ShouldBe(0);
        }
        finally
        {
            Console.SetOut(original);
        }

        return JsonDocument.Parse(output.ToString());
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("15m", 900)]
    [InlineData("2h", 7200)]
    [InlineData("7d", 604800)]
    public void Durations_parse(string text, double seconds) => ReportCommand.ParseDuration(text)!.Value.TotalSeconds.ShouldBe(seconds);

    [Theory]
    [InlineData("soon")]
    [InlineData("NaNs")]
    [InlineData("Infinityd")]
    public async Task Bad_duration_exits_2(string since) =>
        (await RefusalGateCommandLine.RunAsync(["report", "--since", since], TextWriter.Null)).ShouldBe(2);

    [Fact]
    public void A_duration_longer_than_a_timespan_means_everything() =>
        ReportCommand.ParseDuration("1e300d").ShouldBe(TimeSpan.MaxValue);

    [Fact]
    public async Task Failures_exit_with_one_line_bad_address_2_unreachable_or_unreadable_1()
    {
        using var redis = RedisServer.Start();
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            await connection.GetDatabase().StringSetAsync("not-a-stream", "x");
        }

        (int, string) Expect(int code, string reason) => (code, reason);
        foreach (var (args, expected) in new (string[] Args, (int Code, string Reason) Expected)[]
        {
            (["report", "--redis", "127.0.0.1:notaport"], Expect(2, "is not a Redis address")),
            (["report", "--redis", $"127.0.0.1:{RedisServer.FreePort()},connectTimeout=500"], Expect(1, "cannot reach Redis")),
            (["report", "--redis", redis.Configuration, "--stream", "not-a-stream", "--since", "1h"], Expect(1, "could not read the outcome log")),
        })
        {
            using var error = new StringWriter();

            var code = await RefusalGateCommandLine.RunAsync(args, error);

            code.ShouldBe(expected.Code, string.Join(' ', args));
            error.ToString().ShouldContain(expected.Reason);
            error.ToString().Trim().ShouldNotContain('\n');
        }
    }

    [Fact]
    public async Task A_failure_never_prints_the_redis_password()
    {
        foreach (var address in new[]
        {
            $"127.0.0.1:{RedisServer.FreePort()},password=hunter2-secret,connectTimeout=500",
            "127.0.0.1:6379,Password=hunter2-secret,notAnOption=1",
        })
        {
            using var error = new StringWriter();

            (await RefusalGateCommandLine.RunAsync(["report", "--redis", address], error)).ShouldBeOneOf(1, 2);

            // Stderr of a command often lands in CI logs; serve redacts the same string in its banner.
            error.ToString().ShouldNotContain("hunter2", Case.Insensitive);
            error.ToString().ShouldContain("password=***");
        }
    }

    [Fact]
    public async Task A_window_reaching_before_1970_reads_the_whole_stream()
    {
        using var redis = RedisServer.Start();

        using var report = await ReportAsync("report", "--redis", redis.Configuration, "--format", "json", "--since", "100000d");

        report.RootElement.GetProperty("records").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task Since_counts_requests_made_in_the_window_even_when_their_records_arrived_late()
    {
        using var redis = RedisServer.Start();
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            // Both written now; one request was made two hours ago (buffered through an outage), the other just now.
            var database = connection.GetDatabase();
            await database.StreamAddAsync("refusalgate:outcomes", OutcomeRecordFields.From(Outcome(1, true, ObservedKind.FullRefusal) with { Timestamp = DateTimeOffset.UtcNow.AddHours(-2) }));
            await database.StreamAddAsync("refusalgate:outcomes", OutcomeRecordFields.From(Outcome(2, true, ObservedKind.FullRefusal)));
        }

        using var lastHour = await ReportAsync("report", "--redis", redis.Configuration, "--format", "json", "--since", "1h");
        using var lastDay = await ReportAsync("report", "--redis", redis.Configuration, "--format", "json", "--since", "1d");

        lastHour.RootElement.GetProperty("records").GetInt32().ShouldBe(1);
        lastDay.RootElement.GetProperty("records").GetInt32().ShouldBe(2);
    }

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
