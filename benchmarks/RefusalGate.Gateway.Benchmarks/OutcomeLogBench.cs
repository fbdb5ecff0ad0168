// Usage: dotnet run -c Release --project benchmarks/RefusalGate.Gateway.Benchmarks -- outcome-log [rate=2000] [seconds=20]
// Open-loop load (non-streaming chat completions at a fixed arrival rate) through fresh gateways against the simulated
// upstream, interleaved: outcome log off (in-memory store), on (Redis stream), three times each. Reports the achieved
// rate, p50/p90/p99 latency from each request's scheduled send time and the ratio to the logging-off runs; for the
// logging-on runs, the records in Redis against the requests sent and the gateway's outcome-log counters.
// Needs redis-server on PATH (`scripts/setup.sh test` installs it); a throwaway one is started on a free port.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Simulator.Hosting;
using StackExchange.Redis;

/// <summary>
/// Does writing every request's outcome to Redis add latency to the request path, and does it lose records? Each
/// configuration is a fresh gateway; off and on alternate so machine drift affects both alike.
/// </summary>
internal static class OutcomeLogBench
{
    // Three of each, so the median of a configuration is not the mean of two (one stall would move it).
    private const int Rounds = 3;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task RunAsync(int rate, int seconds)
    {
        using var redis = await RedisLauncher.StartAsync();
        await using var upstream = await SimulatorServer.StartAsync(new SimulatorServerOptions());
        await using var redisClient = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);

        // One client for every run: connections are pooled per gateway address; the cap only bounds a stalled gateway
        // (queued requests still count from their scheduled time).
        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = 1024,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        { Timeout = TimeSpan.FromSeconds(30) };

        Console.WriteLine($"Outcome log: open-loop non-streaming chat completions at {rate}/s for {seconds} s per run after {WarmUp.TotalSeconds:0} s warm-up;");
        Console.WriteLine("classifier and response detector off (no ONNX on any path; every request still gets its record); redis-server on " + redis.Configuration + ".");

        // The first gateway of a process was always the slowest (thread pool growth, JIT tiers, GC sizing are
        // process-wide), which would count against whichever configuration goes first: prime on a discarded run.
        var upstreamV1 = new Uri(upstream.BaseAddress, "v1/");
        _ = await RunGatewayAsync(http, upstreamV1, redisClient, null, rate, 10, 0);
        Console.WriteLine("  priming run (not reported) done");
        var runs = new List<Run>();
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var logging in new[] { false, true })
            {
                var run = await RunGatewayAsync(http, upstreamV1, redisClient, logging ? redis.Configuration : null, rate, seconds, runs.Count + 1);
                Console.WriteLine($"  run {run.Number} ({(logging ? "on" : "off")}) done: {run.Load.Sent} sent, {run.Load.Errors} errors");
                runs.Add(run);
            }
        }

        Report(runs);
    }

    private static async Task<Run> RunGatewayAsync(HttpClient http, Uri upstreamV1, ConnectionMultiplexer redisClient, string? redis, int rate, int seconds, int number)
    {
        // A stream key of its own per run, so records are counted for this gateway instance only.
        var streamKey = $"refusalgate:bench:{Environment.ProcessId}:{number}";
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Gateway:Upstreams:sim:BaseUrl"] = upstreamV1.ToString(),
            ["Classifier:Enabled"] = "false",

            // No model competes with the request path for the two cores: every request still gets its record
            // (actual "not_judged"), so the cost measured is the record's, not the models'.
            ["Observation:Enabled"] = "false",

            // Per-request info logs would cost more than what is measured; warnings (Redis away) still show.
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (redis is not null)
        {
            settings["OutcomeLog:Redis"] = redis;
            settings["OutcomeLog:StreamKey"] = streamKey;
        }

        var builder = GatewayHost.CreateBuilder(new GatewayHostSettings { Urls = "http://127.0.0.1:0", Overrides = settings });
        await using var gateway = GatewayHost.Build(builder);
        await gateway.StartAsync();
        var address = GatewayHost.GetListeningAddresses(gateway)[0];
        await WaitUntilReadyAsync(http, address);

        var completions = new Uri(address, "v1/chat/completions");
        var warmUp = await LoadAsync(http, completions, rate, WarmUp, firstId: 0);
        var load = await LoadAsync(http, completions, rate, TimeSpan.FromSeconds(seconds), firstId: warmUp.Sent);
        var sent = warmUp.Sent + load.Sent;

        long? records = redis is null ? null : await WaitForStreamToSettleAsync(redisClient.GetDatabase(), streamKey, sent);
        var metrics = await http.GetStringAsync(new Uri(address, "metrics"));
        await gateway.StopAsync();
        return new Run(number, redis is not null, load, sent, records,
            Counter(metrics, "refusalgate_outcome_log_written_total"),
            Counter(metrics, "refusalgate_outcome_log_dropped_total"),
            Counter(metrics, "refusalgate_outcome_log_retried_total"),
            Counter(metrics, "refusalgate_responses_observation_dropped_total"));
    }

    /// <summary>
    /// Sends requests on a fixed schedule (request i at start + i/rate) whether or not earlier ones have finished, and
    /// times each from its scheduled send, so a stall shows up in the latencies instead of slowing the load down.
    /// </summary>
    private static async Task<LoadResult> LoadAsync(HttpClient http, Uri completions, int rate, TimeSpan duration, int firstId)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var latencies = new double[count];
        var lags = new double[count];
        var finished = new long[count];
        var tasks = new Task[count];
        var interval = (double)Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();

        // A thread of its own with Thread.Sleep(1) (~1 ms on Linux): Task.Delay(1) goes through the timer queue and the
        // thread pool, woke up every ~4 ms under this load and added ~2 ms of send lag to every request. Each wake-up
        // sends every request that has come due (about two at 2,000/s); the sends return at their first await.
        var scheduler = new Thread(() =>
        {
            var next = 0;
            while (next < count)
            {
                var now = Stopwatch.GetTimestamp();
                for (; next < count && start + (long)(next * interval) <= now; next++)
                {
                    lags[next] = Stopwatch.GetElapsedTime(start + (long)(next * interval), now).TotalMilliseconds;
                    tasks[next] = SendAsync(http, completions, firstId + next, start + (long)(next * interval), latencies, finished, next);
                }

                Thread.Sleep(1);
            }
        })
        { IsBackground = true, Name = "open-loop scheduler" };
        scheduler.Start();
        await Task.Run(scheduler.Join);
        await Task.WhenAll(tasks);
        var ok = latencies.Where(l => !double.IsNaN(l)).ToArray();
        var elapsed = Stopwatch.GetElapsedTime(start, finished.Max()).TotalSeconds;
        return new LoadResult(count, count - ok.Length, ok.Length / elapsed, ok, BenchStatistics.Percentile(lags, 0.5));
    }

    private static async Task SendAsync(HttpClient http, Uri completions, int id, long scheduled, double[] latencies, long[] finished, int index)
    {
        var body = $$"""{"model":"demo-model","messages":[{"role":"user","content":"Tell me about topic number {{id}} in a few sentences."}]}""";
        var ok = false;
        try
        {
            using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.ContentType = Json;
            using var response = await http.PostAsync(completions, content);
            _ = await response.Content.ReadAsByteArrayAsync();
            ok = response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // Counted as an error below; one failure must not stop the schedule.
        }

        finished[index] = Stopwatch.GetTimestamp();
        latencies[index] = ok ? Stopwatch.GetElapsedTime(scheduled, finished[index]).TotalMilliseconds : double.NaN;
    }

    /// <summary>
    /// XLEN until it reaches the expected count or stops growing for a second (five times the flush interval);
    /// bounded at 30 s so a stuck writer is reported, not waited for.
    /// </summary>
    private static async Task<long> WaitForStreamToSettleAsync(IDatabase redis, string streamKey, long expected)
    {
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        var last = -1L;
        var unchanged = Stopwatch.GetTimestamp();
        while (true)
        {
            var length = await redis.StreamLengthAsync(streamKey);
            if (length != last)
            {
                last = length;
                unchanged = Stopwatch.GetTimestamp();
            }

            if (length >= expected || Stopwatch.GetElapsedTime(unchanged).TotalSeconds >= 1 || Stopwatch.GetTimestamp() > deadline)
            {
                return length;
            }

            await Task.Delay(100);
        }
    }

    private static void Report(List<Run> runs)
    {
        var off = runs.Where(r => !r.Logging).ToList();
        var on = runs.Where(r => r.Logging).ToList();
        var baseP50 = BenchStatistics.Median(off.Select(r => r.P50));
        var baseP99 = BenchStatistics.Median(off.Select(r => r.P99));

        Console.WriteLine();
        Console.WriteLine($"Latency (ms, from scheduled send); ratios against the median of the logging-off runs (p50 {baseP50:0.000}, p99 {baseP99:0.000}).");
        Console.WriteLine($"{"run",-3} {"outcome log",-12} {"sent",7} {"ok/s",8} {"p50",8} {"p90",8} {"p99",8} {"errors",7} {"p50 ratio",10} {"p99 ratio",10} {"send lag p50",13}");
        foreach (var r in runs)
        {
            Console.WriteLine($"{r.Number,-3} {(r.Logging ? "on (redis)" : "off (memory)"),-12} {r.Load.Sent,7} {r.Load.AchievedRate,8:0} {r.P50,8:0.000} {BenchStatistics.Percentile(r.Load.Latencies, 0.9),8:0.000} {r.P99,8:0.000} {r.Load.Errors,7} {r.P50 / baseP50,9:0.00}x {r.P99 / baseP99,9:0.00}x {r.Load.SendLag,13:0.000}");
        }

        Console.WriteLine();
        Console.WriteLine("Records (expected = every request the gateway got, warm-up included); counters from its /metrics, absent = 0.");
        Console.WriteLine($"{"run",-3} {"expected",9} {"in redis",9} {"written",9} {"dropped",8} {"retried",8} {"obs. dropped",13}");
        foreach (var r in on)
        {
            Console.WriteLine($"{r.Number,-3} {r.Expected,9} {r.Records,9} {r.Written,9} {r.Dropped,8} {r.Retried,8} {r.ObservationDropped,13}");
        }

        // The spread between the two logging-off runs is the noise floor a logging-on ratio has to be read against.
        var lossless = on.All(r => r.Dropped == 0 && r.ObservationDropped == 0 && r.Records == r.Expected);
        var p50Ratio = BenchStatistics.Median(on.Select(r => r.P50)) / baseP50;
        var p99Ratio = BenchStatistics.Median(on.Select(r => r.P99)) / baseP99;
        var noise = off.Max(r => r.P50) / off.Min(r => r.P50);
        var errors = runs.Sum(r => r.Load.Errors);
        Console.WriteLine();
        Console.WriteLine(
            $"verdict: {(lossless ? "PASS" : "FAIL")} dropped {on.Sum(r => r.Dropped)} (+{on.Sum(r => r.ObservationDropped)} before the log), " +
            $"records {on.Sum(r => r.Records ?? 0)}/{on.Sum(r => r.Expected)}; " +
            $"p50 on/off {p50Ratio:0.00}x, p99 on/off {p99Ratio:0.00}x (off-vs-off p50 spread {noise:0.00}x); errors {errors}");
    }

    /// <summary>The value of an unlabelled counter in Prometheus text; a counter never incremented is not rendered.</summary>
    private static long Counter(string metrics, string name) =>
        metrics.Split('\n')
            .Where(line => line.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(line => (long)double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture))
            .Sum();

    private static async Task WaitUntilReadyAsync(HttpClient http, Uri gateway)
    {
        for (var i = 0; i < 600; i++)
        {
            using var response = await http.GetAsync(new Uri(gateway, "readyz"));
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The gateway did not become ready.");
    }

    /// <param name="SendLag">Median delay from scheduled to actual send: the load generator's own share of the latency.</param>
    private sealed record LoadResult(int Sent, int Errors, double AchievedRate, double[] Latencies, double SendLag);

    private sealed record Run(int Number, bool Logging, LoadResult Load, long Expected, long? Records, long Written, long Dropped, long Retried, long ObservationDropped)
    {
        public double P50 { get; } = BenchStatistics.Percentile(Load.Latencies, 0.5);

        public double P99 { get; } = BenchStatistics.Percentile(Load.Latencies, 0.99);
    }
}
