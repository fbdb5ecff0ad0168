using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RefusalGate.Inference.Batching;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Runtime;
using RefusalGate.Inference.Tokenization;
using RefusalGate.Shared;

// Encoder latency and throughput on this machine (Release build, a quiet machine gives stable numbers):
//   dotnet run -c Release --project benchmarks/RefusalGate.Inference.Benchmarks -- [--intra-op 2] [--max-delay-ms 0]
//     [--workers 1] [--max-batch 32] [--concurrency 64] [--seconds 10] [--model use-lite.int8.onnx] [--cuda]
// Prompts: real prompts from the shared datasets when present (REFUSALGATE_DATASETS, else ../shared/datasets beside the repository) (lengths matter: they pick the padding bucket).
var settings = BenchSettings.Parse(args);
var root = FindRepositoryRoot();
var modelDirectory = Path.Combine(root, "onnx-models", "encoder");
using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
using var session = new OnnxRuntimeSession(
    Path.Combine(modelDirectory, settings.ModelFile),
    new InferenceSessionSettings(settings.Cuda ? ExecutionProviderPreference.Cuda : ExecutionProviderPreference.Cpu, IntraOpThreads: settings.IntraOpThreads),
    loggerFactory.CreateLogger("bench"),
    UseLiteModelFiles.BuildHint);
var tokenizer = UseSentencePieceTokenizer.FromVocabularyFile(Path.Combine(modelDirectory, UseLiteModelFiles.VocabularyFileName));
var buckets = new LengthBuckets([16, 32, 64, 128], 128);
await using var encoder = new UseLiteSentenceEncoder(
    session, tokenizer, new DynamicBatcherSettings(settings.MaxBatch, TimeSpan.FromMilliseconds(settings.MaxDelayMs), Workers: settings.Workers), buckets);
var prompts = LoadPrompts(root);
var tokenCounts = prompts.Select(p => encoder.Tokenize(p).Length).Order().ToArray();
Console.WriteLine($"model {settings.ModelFile}, provider {encoder.ExecutionProvider}, intra-op {settings.IntraOpThreads}, workers {settings.Workers}, max batch {settings.MaxBatch}, max delay {settings.MaxDelayMs} ms, cores {Environment.ProcessorCount}");
Console.WriteLine($"{prompts.Length} prompts, tokens p50 {tokenCounts[tokenCounts.Length / 2]}, p90 {tokenCounts[tokenCounts.Length * 9 / 10]}, max {tokenCounts[^1]}");

var warm = Stopwatch.StartNew();
encoder.WarmUp();
Console.WriteLine($"warm-up (every bucket at batch 1 and {settings.MaxBatch}): {warm.ElapsedMilliseconds} ms");

// 1. Tokenizer alone.
var tokenizeWatch = Stopwatch.StartNew();
var tokenized = 0;
while (tokenizeWatch.Elapsed < TimeSpan.FromSeconds(1))
{
    encoder.Tokenize(prompts[tokenized++ % prompts.Length]);
}

Console.WriteLine($"tokenizer: {tokenizeWatch.Elapsed.TotalMicroseconds / tokenized:F1} µs per prompt");

// 2. Single request at a time (the whole EncodeAsync path: trim, tokenize, batcher, ONNX Runtime).
var latencies = new List<double>();
var single = Stopwatch.StartNew();
for (var i = 0; single.Elapsed < TimeSpan.FromSeconds(settings.Seconds); i++)
{
    var start = Stopwatch.GetTimestamp();
    await encoder.EncodeAsync(prompts[i % prompts.Length], CancellationToken.None);
    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
}

latencies.Sort();
Console.WriteLine($"single request: n {latencies.Count}, p50 {Percentile(latencies, 0.50):F3} ms, p90 {Percentile(latencies, 0.90):F3} ms, p99 {Percentile(latencies, 0.99):F3} ms");

// 3. Many concurrent callers through the dynamic batcher.
var completed = 0;
var concurrentLatencies = new List<double>[settings.Concurrency];
var stopAt = Stopwatch.GetTimestamp() + (long)(settings.Seconds * Stopwatch.Frequency);
var throughput = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(async worker =>
{
    concurrentLatencies[worker] = [];
    for (var i = worker; Stopwatch.GetTimestamp() < stopAt; i += settings.Concurrency)
    {
        var start = Stopwatch.GetTimestamp();
        await encoder.EncodeAsync(prompts[i % prompts.Length], CancellationToken.None);
        concurrentLatencies[worker].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        Interlocked.Increment(ref completed);
    }
}));
var all = concurrentLatencies.SelectMany(l => l).Order().ToList();
Console.WriteLine($"batched ({settings.Concurrency} concurrent callers): {completed / throughput.Elapsed.TotalSeconds:F0} prompts/s, latency p50 {Percentile(all, 0.5):F2} ms, p99 {Percentile(all, 0.99):F2} ms");

// 4. Raw model throughput by batch size (prompts of the 32-token bucket), the gain batching buys.
var processor = new UseLiteBatchProcessor(session, buckets);
double? perPromptAtOne = null;
foreach (var batchSize in new[] { 1, 4, 8, 16, 32, 64 })
{
    var windows = prompts.Select(p => encoder.Tokenize(p)).Where(t => t.Length is > 16 and <= 32).Take(batchSize)
        .Select(t => new TokenWindow(t, 0, t.Length)).ToArray();
    if (windows.Length < batchSize)
    {
        continue;
    }

    var results = new float[batchSize][];
    var runs = 0;
    var watch = Stopwatch.StartNew();
    while (watch.Elapsed < TimeSpan.FromSeconds(2))
    {
        processor.Process(windows, results);
        runs++;
    }

    var perPrompt = watch.Elapsed.TotalMilliseconds / (runs * batchSize);
    perPromptAtOne ??= perPrompt;
    Console.WriteLine($"model batch {batchSize,2}: {1000 / perPrompt,6:F0} prompts/s ({perPrompt:F3} ms per prompt, x{perPromptAtOne / perPrompt:F2} vs batch 1)");
}

static double Percentile(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "RefusalGate.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}

static string[] LoadPrompts(string repositoryRoot)
{
    var path = SharedDatasets.File(repositoryRoot, "chatgpt-refusals", "all_hand_labeled.json");
    if (!File.Exists(path))
    {
        return Enumerable.Range(0, 500).Select(i => $"How would someone go about topic number {i} in a reasonable amount of detail?").ToArray();
    }

    using var document = JsonDocument.Parse(File.ReadAllText(path));
    return document.RootElement.EnumerateArray().Select(e => e.GetProperty("prompt").GetString()!).Where(p => p.Length > 0).ToArray();
}

internal sealed record BenchSettings(int IntraOpThreads, double MaxDelayMs, int Workers, int MaxBatch, int Concurrency, double Seconds, bool Cuda, string ModelFile)
{
    public static BenchSettings Parse(string[] args)
    {
        string? Value(string name)
        {
            var index = Array.IndexOf(args, name);
            return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
        }

        double Number(string name, double fallback) => Value(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new BenchSettings(
            (int)Number("--intra-op", 2), Number("--max-delay-ms", 0), (int)Number("--workers", 1), (int)Number("--max-batch", 32),
            (int)Number("--concurrency", 64), Number("--seconds", 10), args.Contains("--cuda"), Value("--model") ?? UseLiteModelFiles.ModelFileName);
    }
}
