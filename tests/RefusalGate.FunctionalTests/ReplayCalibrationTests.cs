using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using RefusalGate.Cli.Commands;
using RefusalGate.Detection;
using RefusalGate.FunctionalTests.Infrastructure;
using RefusalGate.Gateway.Recalibration;
using RefusalGate.Gateway.Tests.OutcomeLog;
using RefusalGate.Shared;
using RefusalGate.Simulator.Hosting;
using StackExchange.Redis;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// The product's calibration bar, end to end: recorded answers of a real model (gpt-3.5-turbo, from the
/// chatgpt-refusals dataset) are replayed by the simulated upstream through a gateway logging to a real Redis. Every
/// request must land in the stream, /metrics must pass promtool, and the calibration figures in /metrics and in both
/// forms of <c>report</c> must equal a computation written here from scratch from the response headers and the
/// detector's verdict on each replayed answer.
/// </summary>
[Collection(ConsoleRedirection.Name)]
public sealed class ReplayCalibrationTests
{
    private const string Model = "gpt-3.5-turbo";

    [Fact]
    public async Task Replayed_answers_are_all_logged_and_every_calibration_view_equals_an_independent_computation()
    {
        using var redis = RedisServer.Start();
        var (replayFile, recorded) = WriteReplayFile(every: 29);
        try
        {
            await using var gateway = await StartReplayGatewayAsync(redis, replayFile);
            var detector = (IResponseRefusalDetector)gateway.Services.GetService(typeof(IResponseRefusalDetector))!;

            var rows = new List<Row>();
            for (var i = 0; i < recorded.Count; i++)
            {
                var (prompt, answer) = recorded[i];
                using var response = await gateway.Http.PostChatAsync(prompt, Model, stream: i % 3 == 0);
                await response.Content.ReadAsStringAsync();
                var actual = await detector.DetectAsync(answer, prompt, CancellationToken.None);
                var predicted = response.Header("x-refusalgate-prediction") == "refuse";
                var confidence = double.Parse(response.Header("x-refusalgate-confidence"), CultureInfo.InvariantCulture);
                rows.Add(new(response.Header("x-request-id"), predicted, confidence, predicted ? confidence : 1 - confidence, actual.IsRefusal, actual.Kind));
            }

            var records = await WaitForRecordsAsync(redis, rows.Count);
            records.Keys.Order().ShouldBe(rows.Select(r => r.RequestId).Order());
            foreach (var row in rows)
            {
                records[row.RequestId]["actual"].ShouldBe(row.Kind.ToLabel(), $"record of {row.RequestId}");
            }

            rows.Count.ShouldBeGreaterThan(50);
            var expected = Independent.Figures(rows);
            rows.Count(r => r.Actual).ShouldBeGreaterThan(5, "the sample should hold refusals");
            rows.Count(r => !r.Actual).ShouldBeGreaterThan(5, "the sample should hold compliances");

            var metrics = await gateway.Http.GetStringAsync("metrics");
            (await Promtool.CheckMetricsAsync(metrics)).ShouldBe("", "promtool check metrics found problems");
            ShouldEqual(expected, name => Gauge(metrics, name), tolerance: 1e-6);

            // What Prometheus computes across replicas from the counters (the shipped rules) is the same, but for d′ and c.
            var fromCounters = CalibrationCounterFigures.Of(new PrometheusExposition(metrics), "classifier");
            fromCounters.Keys.ShouldBe(expected.Keys.Except(["dprime", "criterion"]), ignoreOrder: true);
            ShouldEqual(expected.Where(e => fromCounters.ContainsKey(e.Key)).ToDictionary(), name => fromCounters[name], tolerance: 1e-6);

            var fromAggregates = await ReportAsync("--redis", redis.Configuration);
            var fromStream = await ReportAsync("--redis", redis.Configuration, "--from", "stream");
            ShouldEqual(expected, name => fromAggregates[name], tolerance: 1e-5);
            ShouldEqual(expected, name => fromStream[name], tolerance: 1e-5);
        }
        finally
        {
            File.Delete(replayFile);
        }
    }

    [Fact]
    public async Task Online_recalibration_fits_on_the_logged_outcomes_and_serves_the_recalibrated_probability()
    {
        using var redis = RedisServer.Start();
        var (replayFile, recorded) = WriteReplayFile(every: 11, StricterUpstream);

        // The dataset is grouped by label; traffic is not. Without a shuffle the held-out newest third would be one kind.
        new Random(7).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(recorded));
        try
        {
            await using var gateway = await StartReplayGatewayAsync(redis, replayFile, new()
            {
                ["Recalibration:Enabled"] = "true",
                ["Recalibration:Interval"] = "01:00:00",
                ["Recalibration:MinSamples"] = "40",
            });
            var raw = new Dictionary<string, double>();
            var category = new Dictionary<string, string>();
            foreach (var (prompt, _) in recorded)
            {
                using var response = await gateway.Http.PostChatAsync(prompt, Model);
                raw[prompt] = RefusalProbability(response);
                category[prompt] = response.Header("x-refusalgate-category");
            }

            await WaitForRecordsAsync(redis, recorded.Count);

            // The schedule is an hour: fit now, from the Redis stream, as the timer would.
            var service = (RecalibrationService)gateway.Services.GetService(typeof(RecalibrationService))!;
            var fit = (await service.FitAsync()).ShouldHaveSingleItem();
            fit.Model.ShouldBe(Model);
            fit.Samples.ShouldBe(recorded.Count);
            fit.Applied.ShouldBeTrue($"held-out ECE {fit.EceBefore} raw vs {fit.EceAfter} recalibrated");

            var metrics = await gateway.Http.GetStringAsync("metrics");
            metrics.ShouldContain($"refusalgate_recalibration_applied{{model=\"{Model}\"}} 1");
            metrics.ShouldContain($"refusalgate_recalibration_ece{{model=\"{Model}\",stage=\"raw\"}}");
            (await Promtool.CheckMetricsAsync(metrics)).ShouldBe("");

            // A prompt again from where the fit saw the most outcomes like it (same top category and tenth of
            // probability; Recalibration:MinSupportSamples, 20 by default): served recalibrated, and logged with the
            // classifier's own probability beside it.
            var regions = recorded.Select(r => r.Prompt).GroupBy(p => (category[p], Math.Min((int)(raw[p] * 10), 9))).OrderBy(g => g.Count()).ToList();
            var minSupport = new RecalibrationOptions().MinSupportSamples;
            regions[^1].Count().ShouldBeGreaterThanOrEqualTo(minSupport);
            regions[0].Count().ShouldBeLessThan(minSupport);

            // Where the fit saw too few outcomes, the classifier's probability is served, and counted.
            var unsupported = regions[0].First();
            using var kept = await gateway.Http.PostChatAsync(unsupported, Model);
            RefusalProbability(kept).ShouldBe(raw[unsupported], 1e-6);
            (await gateway.Http.GetStringAsync("metrics")).ShouldContain($"refusalgate_recalibration_outside_support_total{{model=\"{Model}\"}} 1");

            var again = regions[^1].First();
            using var recalibrated = await gateway.Http.PostChatAsync(again, Model);
            var served = RefusalProbability(recalibrated);
            Math.Abs(served - raw[again]).ShouldBeGreaterThan(1e-4);
            var record = (await WaitForRecordsAsync(redis, recorded.Count + 2))[recalibrated.Header("x-request-id")];
            double.Parse(record["raw_refusal_probability"], CultureInfo.InvariantCulture).ShouldBe(raw[again], 1e-5);
            double.Parse(record["refusal_probability"], CultureInfo.InvariantCulture).ShouldBe(served, 1e-5);
        }
        finally
        {
            File.Delete(replayFile);
        }
    }

    /// <summary>A gateway logging to <paramref name="redis"/> in front of the replaying upstream; policies off, so every answer is the model's.</summary>
    private static Task<TestGateway> StartReplayGatewayAsync(RedisServer redis, string replayFile, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Upstreams:main:Models:1"] = "gpt-*",
            ["OutcomeLog:Redis"] = redis.Configuration,
            ["OutcomeLog:FlushInterval"] = "00:00:00.020",
            ["Policies:Enabled"] = "false",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return TestGateway.StartAsync(settings, new SimulatorServerOptions { ReplayFile = replayFile });
    }

    private static double RefusalProbability(HttpResponseMessage response)
    {
        var confidence = double.Parse(response.Header("x-refusalgate-confidence"), CultureInfo.InvariantCulture);
        return response.Header("x-refusalgate-prediction") == "refuse" ? confidence : 1 - confidence;
    }

    private sealed record Row(string RequestId, bool Predicted, double Confidence, double Probability, bool Actual, RefusalKind Kind);

    private static void ShouldEqual(Dictionary<string, double> expected, Func<string, double> actual, double tolerance)
    {
        foreach (var (name, value) in expected)
        {
            actual(name).ShouldBe(value, tolerance, name);
        }
    }

    /// <summary>
    /// An upstream far stricter than the models the classifier was fitted on: it refuses three prompts in four,
    /// whatever they ask. Recalibration must then help on any sample, not only on a lucky one (on the recorded
    /// gpt-3.5 answers the raw classifier is already close, and whether a refit wins depends on the sample).
    /// </summary>
    private static string StricterUpstream(int index, string recordedAnswer) =>
        index % 4 == 0 ? recordedAnswer : "I'm sorry, but I can't help with that request.";

    /// <summary>
    /// Every <paramref name="every"/>-th hand-labelled row of chatgpt-refusals as a replay file (model, prompt, response);
    /// <paramref name="answer"/>, when given, replaces the recorded response (row index, recorded response).
    /// </summary>
    private static (string Path, List<(string Prompt, string Answer)> Rows) WriteReplayFile(int every, Func<int, string, string>? answer = null)
    {
        var dataset = SharedDatasets.File(Repository.Root, "chatgpt-refusals", "all_hand_labeled.json");
        File.Exists(dataset).ShouldBeTrue($"{dataset} is missing: the tests expect ../shared/datasets beside the repository, or REFUSALGATE_DATASETS set to it.");
        using var document = JsonDocument.Parse(File.ReadAllText(dataset));
        var rows = document.RootElement.EnumerateArray()
            .Where((_, i) => i % every == 0)
            .Select(e => (Prompt: e.GetProperty("prompt").GetString()!.Trim(), Answer: e.GetProperty("response").GetString()!))
            .Where(r => r.Prompt.Length > 0 && r.Answer.Trim().Length > 0)
            .DistinctBy(r => r.Prompt)
            .Select((r, i) => (r.Prompt, Answer: answer?.Invoke(i, r.Answer) ?? r.Answer))
            .ToList();
        var path = Path.GetTempFileName();
        File.WriteAllLines(path, rows.Select(r => JsonSerializer.Serialize(new { model = Model, prompt = r.Prompt, response = r.Answer })));
        return (path, rows);
    }

    private static async Task<Dictionary<string, Dictionary<string, string>>> WaitForRecordsAsync(RedisServer redis, int count)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        StreamEntry[] entries = [];

        // A bound so a broken build fails instead of hanging; not a latency assertion.
        for (var i = 0; i < 600 && entries.Length < count; i++)
        {
            await Task.Delay(50);
            entries = await connection.GetDatabase().StreamRangeAsync("refusalgate:outcomes");
        }

        return entries.ToDictionary(
            e => e.Values.First(v => v.Name == "request_id").Value.ToString(),
            e => e.Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString()));
    }

    private static double Gauge(string metrics, string name)
    {
        var match = Regex.Match(metrics, $"^refusalgate_calibration_{name}\\{{category=\"all\",model=\"all\",source=\"classifier\",window=\"total\"\\}} (\\S+)$", RegexOptions.Multiline);
        match.Success.ShouldBeTrue($"refusalgate_calibration_{name} for all/all is missing");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The classifier row for all models and categories of <c>report --format json</c>, keyed like the gauges.</summary>
    private static async Task<Dictionary<string, double>> ReportAsync(params string[] options)
    {
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            (await RefusalGateCommandLine.RunAsync(["report", "--format", "json", .. options], TextWriter.Null)).ShouldBe(0);
        }
        finally
        {
            Console.SetOut(original);
        }

        // The gateway of the test may still log to the console: the report is its one JSON line.
        using var report = JsonDocument.Parse(output.ToString().Split('\n').Single(line => line.StartsWith("{\"from\"", StringComparison.Ordinal)));
        var row = report.RootElement.GetProperty("rows").EnumerateArray()
            .First(r => r.GetProperty("source").GetString() == "classifier" && r.GetProperty("model").GetString() == "all" && r.GetProperty("category").GetString() == "all");
        return new()
        {
            ["samples"] = row.GetProperty("n").GetDouble(),
            ["accuracy"] = row.GetProperty("accuracy").GetDouble(),
            ["dprime"] = row.GetProperty("d_prime").GetDouble(),
            ["criterion"] = row.GetProperty("criterion").GetDouble(),
            ["ece"] = row.GetProperty("ece").GetDouble(),
            ["brier"] = row.GetProperty("brier").GetDouble(),
            ["high_confidence_accuracy"] = row.GetProperty("high_confidence_accuracy").GetDouble(),
            ["high_confidence_coverage"] = row.GetProperty("high_confidence_coverage").GetDouble(),
        };
    }

    /// <summary>The figures, written again from their definitions without the product's code (its own normal quantile too).</summary>
    private static class Independent
    {
        public static Dictionary<string, double> Figures(List<Row> rows)
        {
            double n = rows.Count;
            var hits = rows.Count(r => r.Predicted && r.Actual);
            var signal = rows.Count(r => r.Actual);
            var falseAlarms = rows.Count(r => r.Predicted && !r.Actual);
            var noise = rows.Count(r => !r.Actual);
            var zHit = Quantile((hits + 0.5) / (signal + 1));
            var zFalseAlarm = Quantile((falseAlarms + 0.5) / (noise + 1));
            var ece = rows
                .GroupBy(r => Math.Min((int)Math.Floor(r.Probability * 10), 9))
                .Sum(bin => bin.Count() / n * Math.Abs(bin.Average(r => r.Probability) - bin.Average(r => r.Actual ? 1.0 : 0.0)));
            var confident = rows.Where(r => r.Confidence >= 0.9).ToList();
            return new()
            {
                ["samples"] = n,
                ["accuracy"] = rows.Count(r => r.Predicted == r.Actual) / n,
                ["dprime"] = zHit - zFalseAlarm,
                ["criterion"] = -(zHit + zFalseAlarm) / 2,
                ["ece"] = ece,
                ["brier"] = rows.Average(r => Math.Pow(r.Probability - (r.Actual ? 1 : 0), 2)),
                ["high_confidence_accuracy"] = confident.Count(r => r.Predicted == r.Actual) / (double)confident.Count,
                ["high_confidence_coverage"] = confident.Count / n,
            };
        }

        /// <summary>Φ⁻¹ by bisection on Φ, with Φ integrated by Simpson's rule: slow, simple and unrelated to the product's approximation.</summary>
        private static double Quantile(double p)
        {
            double low = -10, high = 10;
            for (var i = 0; i < 100; i++)
            {
                var middle = (low + high) / 2;
                (Cdf(middle) < p ? ref low : ref high) = middle;
            }

            return (low + high) / 2;
        }

        private static double Cdf(double x)
        {
            const int steps = 2000;
            var h = x / steps;
            var sum = Density(0) + Density(x);
            for (var i = 1; i < steps; i++)
            {
                sum += Density(i * h) * (i % 2 == 1 ? 4 : 2);
            }

            return 0.5 + sum * h / 3;
        }

        private static double Density(double x) => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);
    }
}
