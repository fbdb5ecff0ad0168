using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RefusalGate.Classification.Prediction;
using RefusalGate.Gateway.Calibration;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.OutcomeLog;
using RefusalGate.Gateway.Policies.SelfPrediction;
using RefusalGate.Gateway.Telemetry;
using RefusalGate.Inference.Hosting;
using StackExchange.Redis;

namespace RefusalGate.Gateway.Tests.OutcomeLog;

/// <summary>The outcome log against a real redis-server: written, buffered while Redis is away, drops counted.</summary>
public sealed class RedisOutcomeWriterTests : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PrometheusMetricsCollector _collector;
    private readonly GatewayMetrics _metrics;
    private readonly List<RedisConnection> _connections = [];

    public RedisOutcomeWriterTests()
    {
        _collector = new PrometheusMetricsCollector(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        _metrics = new GatewayMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), new InferenceReadiness());
    }

    public async ValueTask DisposeAsync()
    {
        _collector.Dispose();
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        await _services.DisposeAsync();
    }

    private RedisOutcomeWriter Writer(RedisServer redis, int bufferCapacity = 16_384, int batchSize = 512)
    {
        var connection = new RedisConnection(Options.Create(new OutcomeLogOptions { Redis = redis.Configuration }));
        _connections.Add(connection);
        return Writer(redis, connection, bufferCapacity, batchSize);
    }

    private RedisOutcomeWriter Writer(RedisServer redis, RedisConnection connection, int bufferCapacity, int batchSize = 512) => new(
        Options.Create(new OutcomeLogOptions
        {
            Redis = redis.Configuration,
            StreamKey = "test:outcomes",
            BufferCapacity = bufferCapacity,
            BatchSize = batchSize,
            FlushInterval = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        }),
        Options.Create(new CalibrationOptions()),
        connection,
        _metrics,
        NullLogger<RedisOutcomeWriter>.Instance);

    private static RequestOutcome Outcome(int i) => new()
    {
        RequestId = $"req_{i}",
        Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(i),
        Upstream = "main",
        Model = "demo-model",
        Endpoint = "chat.completions",
        Stream = i % 2 == 0,
        Decision = "allow",
        Prediction = new PromptPrediction(0.9f, true, 0.9f, "violent_crimes", new Dictionary<string, float> { ["violent_crimes"] = 0.9f }),
        StatusCode = 200,
        Observed = ObservedKind.FullRefusal,
        RefusalProbability = 0.97f,
        Completed = true,
        Truncated = false,
    };

    private static async Task<long> StreamLengthAsync(RedisServer redis)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        return await connection.GetDatabase().StreamLengthAsync("test:outcomes");
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        // A bound so a broken build fails instead of hanging; not a latency assertion.
        for (var i = 0; i < 300 && !await condition(); i++)
        {
            await Task.Delay(50);
        }

        (await condition()).ShouldBeTrue();
    }

    [Fact]
    public async Task Outcomes_are_appended_to_the_stream_with_prediction_and_actual()
    {
        using var redis = RedisServer.Start();
        var writer = Writer(redis);
        await writer.StartAsync(CancellationToken.None);

        for (var i = 0; i < 50; i++)
        {
            await writer.WriteAsync(Outcome(i), CancellationToken.None);
        }

        await EventuallyAsync(async () => await StreamLengthAsync(redis) == 50);
        await writer.StopAsync(CancellationToken.None);

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var first = (await connection.GetDatabase().StreamRangeAsync("test:outcomes", count: 1))[0];
        var fields = first.Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString());
        fields["request_id"].ShouldBe("req_0");
        fields["predicted_refusal"].ShouldBe("1");
        fields["actual"].ShouldBe("full_refusal");
        fields["actual_refusal"].ShouldBe("1");
        fields["category"].ShouldBe("violent_crimes");
        fields.Keys.ShouldNotContain(k => k.Contains("prompt", StringComparison.Ordinal) && k != "prompt_tokens");
        _collector.Render().ShouldContain("refusalgate_outcome_log_written_total 50");
    }

    [Fact]
    public async Task Records_written_while_redis_is_down_arrive_when_it_returns()
    {
        using var redis = RedisServer.Start();
        var writer = Writer(redis);
        await writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 100; i++)
        {
            await writer.WriteAsync(Outcome(i), CancellationToken.None);
        }

        await EventuallyAsync(async () => await StreamLengthAsync(redis) == 100);

        redis.Stop();
        for (var i = 100; i < 300; i++)
        {
            await writer.WriteAsync(Outcome(i), CancellationToken.None);
        }

        await EventuallyAsync(() => Task.FromResult(!_collector.Render().Contains("refusalgate_outcome_log_retried_total 0", StringComparison.Ordinal)));
        writer.Check().Detail.ShouldContain("buffering (200 waiting)"); // the batch being retried counts too
        writer.Buffered.ShouldBe(200);

        // The server comes back empty (no persistence): the 200 buffered records must all arrive, none twice.
        redis.Restart();
        await EventuallyAsync(async () => await StreamLengthAsync(redis) == 200);
        await writer.StopAsync(CancellationToken.None);
        (await StreamLengthAsync(redis)).ShouldBe(200);
        _collector.Render().ShouldContain("refusalgate_outcome_log_dropped_total 0");

        // The shared counts travel in the same transaction as the records: the same 200, none counted twice.
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var shared = await CalibrationHashes.ReadAsync(connection.GetDatabase(), new OutcomeLogOptions().AggregateKeyPrefix, 0.9);
        shared.Counts[new("classifier", "all", "all")].Total.ShouldBe(200);
    }

    [Fact]
    public async Task Before_the_first_write_redis_is_not_reported_unreachable()
    {
        using var redis = RedisServer.Start();
        var writer = Writer(redis);
        await writer.StartAsync(CancellationToken.None);

        writer.Check().Detail.ShouldBe("redis stream test:outcomes (nothing written yet)");
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task At_shutdown_with_redis_away_every_unwritten_record_is_dropped_and_counted()
    {
        using var redis = RedisServer.Start();
        var writer = Writer(redis, batchSize: 4);
        await writer.StartAsync(CancellationToken.None);
        redis.Stop();
        for (var i = 0; i < 30; i++)
        {
            await writer.WriteAsync(Outcome(i), CancellationToken.None);
        }

        await EventuallyAsync(() => Task.FromResult(!_collector.Render().Contains("refusalgate_outcome_log_retried_total 0", StringComparison.Ordinal)));
        using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await writer.StopAsync(shutdown.Token);

        shutdown.IsCancellationRequested.ShouldBeFalse("the writer gave up on its own, not at the host's shutdown timeout");
        _collector.Render().ShouldContain("refusalgate_outcome_log_dropped_total 30");
    }

    [Fact]
    public async Task Records_beyond_the_buffer_are_dropped_and_counted()
    {
        using var redis = new RedisServer();
        var writer = Writer(redis, bufferCapacity: 10);

        for (var i = 0; i < 50; i++)
        {
            await writer.WriteAsync(Outcome(i), CancellationToken.None);
        }

        _collector.Render().ShouldContain("refusalgate_outcome_log_dropped_total 40");
        writer.Buffered.ShouldBe(10);
    }

    [Fact]
    public async Task Replicas_add_up_their_calibration_counts_in_shared_redis_hashes()
    {
        using var redis = RedisServer.Start();
        var replicas = new[] { Writer(redis), Writer(redis) };
        var expected = new CalibrationTable(0.9);
        foreach (var replica in replicas)
        {
            await replica.StartAsync(CancellationToken.None);
        }

        for (var i = 0; i < 120; i++)
        {
            var outcome = VariedOutcome(i);
            await replicas[i % 2].WriteAsync(outcome, CancellationToken.None);
            foreach (var score in CalibrationSources.Of(outcome))
            {
                expected.Add(score);
            }
        }

        await EventuallyAsync(async () => await StreamLengthAsync(redis) == 120);
        foreach (var replica in replicas)
        {
            await replica.StopAsync(CancellationToken.None);
        }

        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var shared = await CalibrationHashes.ReadAsync(connection.GetDatabase(), new OutcomeLogOptions().AggregateKeyPrefix, 0.9);
        shared.Rows().Select(r => r.Source + "/" + r.Model + "/" + r.Category).ShouldBe(expected.Rows().Select(r => r.Source + "/" + r.Model + "/" + r.Category));
        foreach (var (actual, wanted) in shared.Rows().Zip(expected.Rows()))
        {
            actual.Figures.Samples.ShouldBe(wanted.Figures.Samples);
            actual.Figures.Accuracy.ShouldBe(wanted.Figures.Accuracy, 1e-12);
            actual.Figures.DPrime.ShouldBe(wanted.Figures.DPrime, 1e-9);
            actual.Figures.ExpectedCalibrationError.ShouldBe(wanted.Figures.ExpectedCalibrationError, 1e-9);
            actual.Figures.Brier.ShouldBe(wanted.Figures.Brier, 1e-9);
            actual.Figures.HighConfidenceCoverage.ShouldBe(wanted.Figures.HighConfidenceCoverage, 1e-12);
        }

        shared.Counts.Keys.ShouldContain(new CalibrationKey("self", "demo-model", "violent_crimes"));
    }

    [Fact]
    public async Task A_batch_redis_rejects_after_running_it_is_dropped_and_counted_not_retried_into_the_shared_counts()
    {
        using var redis = RedisServer.Start();
        await using (var setup = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            // Another application's string where the stream should be: EXEC runs the transaction, XADD fails with
            // WRONGTYPE and the counts' HINCRBYs succeed. Retrying it re-added the counts every few seconds.
            await setup.GetDatabase().StringSetAsync("test:outcomes", "not a stream");
        }

        var writer = Writer(redis, batchSize: 8);
        await writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            await writer.WriteAsync(Outcome(i), CancellationToken.None);
        }

        await EventuallyAsync(() => Task.FromResult(_collector.Render().Contains("refusalgate_outcome_log_dropped_total 3\n", StringComparison.Ordinal)));
        // Long enough for several retries at the 200 ms maximum delay, had the batch been retried.
        await Task.Delay(1000);

        var metrics = _collector.Render();
        metrics.ShouldContain("refusalgate_outcome_log_written_total 0\n");
        metrics.ShouldContain("refusalgate_outcome_log_retried_total 0\n");
        writer.Buffered.ShouldBe(0);
        writer.Check().Detail.ShouldContain("WRONGTYPE");
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var shared = await CalibrationHashes.ReadAsync(connection.GetDatabase(), new OutcomeLogOptions().AggregateKeyPrefix, 0.9);
        shared.Counts[new("classifier", "all", "all")].Total.ShouldBeLessThanOrEqualTo(3);

        // The key fixed, the next records are written again and the state says so.
        await connection.GetDatabase().KeyDeleteAsync("test:outcomes");
        await writer.WriteAsync(Outcome(3), CancellationToken.None);
        await EventuallyAsync(async () => await StreamLengthAsync(redis) == 1);
        await EventuallyAsync(() => Task.FromResult(writer.Check().Detail == "redis stream test:outcomes"));
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_redis_that_answers_but_refuses_writes_is_named_as_such_and_the_records_wait_for_it()
    {
        using var redis = RedisServer.Start();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration + ",allowAdmin=true");
        var server = connection.GetServer(redis.Configuration);
        // Out of memory under noeviction: every write is refused before EXEC (EXECABORT), so nothing was applied.
        await server.ConfigSetAsync("maxmemory", "1");
        var writer = Writer(redis);
        await writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            await writer.WriteAsync(Outcome(i), CancellationToken.None);
        }

        await EventuallyAsync(() => Task.FromResult(!_collector.Render().Contains("refusalgate_outcome_log_retried_total 0", StringComparison.Ordinal)));
        // Not "unreachable": it answers, and its reply says what to fix.
        writer.Check().Detail.ShouldStartWith("redis refuses the writes (");
        writer.Check().Detail.ShouldContain("buffering (5 waiting)");

        await server.ConfigSetAsync("maxmemory", "0");
        await EventuallyAsync(async () => await StreamLengthAsync(redis) == 5);
        await writer.StopAsync(CancellationToken.None);
        _collector.Render().ShouldContain("refusalgate_outcome_log_dropped_total 0\n");
    }

    /// <summary>Outcomes spread over probabilities, both actual results, two categories and a self-prediction.</summary>
    private static RequestOutcome VariedOutcome(int i)
    {
        var p = 0.05f + (i % 10) * 0.1f;
        var refused = i % 3 != 0;
        return Outcome(i) with
        {
            Prediction = new PromptPrediction(p, p >= 0.5f, Math.Max(p, 1 - p), i % 2 == 0 ? "violent_crimes" : "none", new Dictionary<string, float>()),
            Observed = refused ? ObservedKind.FullRefusal : ObservedKind.Compliance,
            SelfPrediction = i % 4 == 0 ? new SelfPredictionResult(SelfPredictionStatus.Answered, refused ? 0.8 : 0.3, TimeSpan.FromMilliseconds(5), FromCache: false) : null,
        };
    }
}
