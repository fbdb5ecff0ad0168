using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Simulator.Hosting;

// Time to first byte and total time of streamed chat completions: straight to the simulated upstream (baseline),
// through the gateway as a plain proxy, with the classifier, and with classifier + response observation.
// Usage: dotnet run -c Release --project benchmarks/RefusalGate.Gateway.Benchmarks -- [requests per configuration] [--gap-ms N] [--rounds N]
//        (--gap-ms pauses between requests in every configuration, so the detector's background run of one response
//        no longer overlaps the next request: what remains is the cost of the pass-through itself; --rounds repeats
//        the configurations in turn and pools each one's requests)
//        dotnet run -c Release --project benchmarks/RefusalGate.Gateway.Benchmarks -- policy [decisions per case]
//        dotnet run -c Release --project benchmarks/RefusalGate.Gateway.Benchmarks -- outcome-log [rate=2000] [seconds=20]
//        dotnet run -c Release --project benchmarks/RefusalGate.Gateway.Benchmarks -- models [seconds per measurement=10] [length buckets, e.g. 16,32,64,128]
//        dotnet run -c Release --project benchmarks/RefusalGate.Gateway.Benchmarks -- capture [streams=2000] [chunks per stream=500]
//        dotnet run -c Release --project benchmarks/RefusalGate.Gateway.Benchmarks -- soak [seconds=180] [concurrency=8] [--sample-s N=10] [--rate requests/s] [--history-kb N=16] [--detector-workers N=1]
if (args.Length > 0 && args[0] == "policy")
{
    await PolicyDecisionBench.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 50_000);
    return;
}

if (args.Length > 0 && args[0] == "outcome-log")
{
    await OutcomeLogBench.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20);
    return;
}

if (args.Length > 0 && args[0] == "capture")
{
    CaptureBench.Run(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500);
    return;
}

if (args.Length > 0 && args[0] == "models")
{
    await ModelLatencyBench.RunAsync(
        args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10,
        args.Length > 2 ? args[2].Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray() : []);
    return;
}

if (args.Length > 0 && args[0] == "soak")
{
    var positional = args.Skip(1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
    await SoakBench.RunAsync(
        positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 180,
        positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 8,
        IntOption("--sample-s", 10),
        IntOption("--rate", 0),
        IntOption("--history-kb", 16),
        IntOption("--detector-workers", 1));
    return;
}

var gap = TimeSpan.FromMilliseconds(IntOption("--gap-ms", 0));
var rounds = IntOption("--rounds", 1);
var requests = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
await using var upstream = await SimulatorServer.StartAsync(new SimulatorServerOptions());
var upstreamV1 = new Uri(upstream.BaseAddress, "v1/");

var configurations = new (string Name, Dictionary<string, string?>? Settings)[]
{
    ("direct to upstream (baseline)", null),
    ("gateway: plain proxy", new() { ["Classifier:Enabled"] = "false", ["Observation:Enabled"] = "false" }),
    ("gateway: + observation (tee + detector)", new() { ["Classifier:Enabled"] = "false" }),
    ("gateway: + classifier", new() { ["Observation:Enabled"] = "false", ["Policies:Enabled"] = "false" }),
    ("gateway: + classifier + observation", new() { ["Policies:Enabled"] = "false" }),
    ("  same, classifier on 1 thread", new() { ["Inference:IntraOpThreads"] = "1", ["Policies:Enabled"] = "false" }),
    ("gateway: + policies (default.yaml, cascade)", new()),
};

// Rounds interleave the configurations, so a machine whose speed drifts (shared CPUs) affects them alike.
var ttfbs = configurations.Select(_ => new List<double>()).ToArray();
var totals = configurations.Select(_ => new List<double>()).ToArray();
for (var round = 0; round < rounds; round++)
{
    for (var c = 0; c < configurations.Length; c++)
    {
        var (ttfb, total) = await MeasureConfigurationAsync(configurations[c].Settings, upstreamV1, requests, gap);
        ttfbs[c].AddRange(ttfb);
        totals[c].AddRange(total);
    }
}

Console.WriteLine($"{requests} streamed chat completions per configuration and round, {rounds} round(s), sequential{(gap > TimeSpan.Zero ? $" with {gap.TotalMilliseconds:0} ms between requests" : "")}, after 30 warm-up requests.");
Console.WriteLine($"{"configuration",-44} {"TTFB p50",10} {"TTFB p99",10} {"total p50",10} {"vs direct",10} {"vs proxy",9}");
var baseline = BenchStatistics.Median(ttfbs[0]);
var plainProxy = BenchStatistics.Median(ttfbs[1]);
for (var c = 0; c < configurations.Length; c++)
{
    var median = BenchStatistics.Median(ttfbs[c]);
    var vsProxy = c > 0 ? $"{median / plainProxy,8:0.00}x" : $"{"",9}";
    Console.WriteLine($"{configurations[c].Name,-44} {Ms(median),10} {Ms(BenchStatistics.Percentile(ttfbs[c], 0.99)),10} {Ms(BenchStatistics.Median(totals[c])),10} {median / baseline,9:0.00}x {vsProxy}");
}

int IntOption(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

static async Task<(List<double> Ttfb, List<double> Total)> MeasureConfigurationAsync(Dictionary<string, string?>? settings, Uri upstreamV1, int requests, TimeSpan gap)
{
    if (settings is null)
    {
        return await MeasureAsync(upstreamV1, requests, gap);
    }

    settings["Gateway:Upstreams:sim:BaseUrl"] = upstreamV1.ToString();
    var builder = GatewayHost.CreateBuilder(new GatewayHostSettings { Urls = "http://127.0.0.1:0", Overrides = settings });
    await using var gateway = GatewayHost.Build(builder);
    await gateway.StartAsync();
    var address = GatewayHost.GetListeningAddresses(gateway)[0];
    await WaitUntilReadyAsync(address);
    try
    {
        return await MeasureAsync(new Uri(address, "v1/"), requests, gap);
    }
    finally
    {
        await gateway.StopAsync();
    }
}

static async Task<(List<double> Ttfb, List<double> Total)> MeasureAsync(Uri baseAddress, int count, TimeSpan gap)
{
    using var http = new HttpClient { BaseAddress = baseAddress };
    var ttfb = new List<double>(count);
    var total = new List<double>(count);
    for (var i = -30; i < count; i++)
    {
        var body = $$"""{"model":"demo-model","stream":true,"messages":[{"role":"user","content":"Tell me about topic number {{i}} in a few sentences."}]}""";
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];
        _ = await stream.ReadAsync(buffer);
        var first = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        while (await stream.ReadAsync(buffer) > 0)
        {
        }

        if (i >= 0)
        {
            ttfb.Add(first);
            total.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        if (gap > TimeSpan.Zero)
        {
            await Task.Delay(gap);
        }
    }

    return (ttfb, total);
}

static async Task WaitUntilReadyAsync(Uri gateway)
{
    using var http = new HttpClient { BaseAddress = gateway };
    for (var i = 0; i < 600; i++)
    {
        if ((await http.GetAsync("readyz")).IsSuccessStatusCode)
        {
            return;
        }

        await Task.Delay(100);
    }

    throw new TimeoutException("The gateway did not become ready.");
}

static string Ms(double value) => value.ToString("0.00 ms", CultureInfo.InvariantCulture);
