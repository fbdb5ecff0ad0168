using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using RefusalGate.Classification;
using RefusalGate.Classification.Manifest;
using RefusalGate.Detection;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Hosting;
using RefusalGate.Inference.Runtime;
using RefusalGate.Inference.Tokenization;
using RefusalGate.Shared;

/// <summary>
/// The two models as the gateway runs them, at both encoder precisions in one run:
/// the prompt classifier (encoder + head) on one request at a time and under 64 concurrent callers, the batching win
/// (whole batches against batch size 1), and the response detector on responses of up to 128 tokens, on the
/// detector's own 1-thread session as in the gateway. Prompts and responses are the real ones of chatgpt-refusals.
/// </summary>
internal static class ModelLatencyBench
{
    public static async Task RunAsync(double seconds, int[] lengthBuckets)
    {
        var models = ModelLocations.FindModelsDirectory()
            ?? throw new DirectoryNotFoundException("No onnx-models folder found: run from the repository or set REFUSALGATE_MODELS.");
        var (prompts, responses) = LoadTexts(models);
        Console.WriteLine($"{Environment.ProcessorCount} cores, {seconds:F0} s per measurement, length buckets {(lengthBuckets.Length > 0 ? string.Join('/', lengthBuckets) : "default")}, {prompts.Length} prompts, {responses.Length} responses (chatgpt-refusals), detector on the responses of ≤ 128 tokens");
        Console.WriteLine($"{"precision",-9} {"measurement",-44} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"per s",8}");
        var medians = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var precision in new[] { "fp32", "int8" })
        {
            var options = new InferenceOptions { ModelDirectory = Path.Combine(models, "encoder"), Precision = precision, LengthBuckets = lengthBuckets };
            var tokenizer = UseSentencePieceTokenizer.FromVocabularyFile(Path.Combine(options.ModelDirectory, UseLiteModelFiles.VocabularyFileName));
            using var sessions = new OnnxRuntimeSessionFactory(options.ToSessionSettings(), NullLogger<OnnxRuntimeSession>.Instance);
            await using var encoder = options.CreateEncoder(sessions, tokenizer);
            encoder.WarmUp();
            await using var classifier = new OnnxPromptClassifier(encoder, sessions, ClassifierManifestLoader.Load(Path.Combine(models, "classifier", "manifest.json")));

            var shortResponses = responses.Where(r => encoder.Tokenize(r).Length <= 128).ToArray();
            var single = await SequentialAsync(seconds, i => classifier.ClassifyAsync(prompts[i % prompts.Length], CancellationToken.None).AsTask());
            Report(precision, "classifier, one request at a time", single);
            medians[$"{precision} classifier"] = BenchStatistics.Percentile(single, 0.5);

            // Prompts longer than the head's tail (300 code points) are encoded twice: whole and tail. Real prompts that
            // long are rare in the data set, so responses of 300–1,000 characters stand in for long prompts.
            var longTexts = responses.Where(r => r.Trim().Length is > 300 and <= 1000).ToArray();
            var longSingle = await SequentialAsync(seconds, i => classifier.ClassifyAsync(longTexts[i % longTexts.Length], CancellationToken.None).AsTask());
            Report(precision, "classifier, 300-1,000-character texts", longSingle);
            var longEncode = await SequentialAsync(seconds, i => encoder.EncodeAsync(longTexts[i % longTexts.Length], CancellationToken.None).AsTask());
            Report(precision, "  the same texts, encoder only (no tail)", longEncode);

            var (concurrent, rate) = await ConcurrentAsync(seconds, 64, i => classifier.ClassifyAsync(prompts[i % prompts.Length], CancellationToken.None).AsTask());
            Report(precision, "classifier, 64 concurrent callers", concurrent, rate);

            var perPromptAtOne = BatchCost(classifier, prompts, 1, seconds / 2);
            var perPromptAt32 = BatchCost(classifier, prompts, 32, seconds / 2);
            Console.WriteLine($"{precision,-9} {"classifier batch 32 vs batch 1 (per prompt)",-44} {perPromptAt32,8:F3} {"",8} {"",8} {1000 / perPromptAt32,8:F0}   x{perPromptAtOne / perPromptAt32:F2} vs batch 1 ({perPromptAtOne:F3} ms)");

            // The gateway judges responses on a separate session with Observation:DetectorThreads (1) threads, so
            // that judging never takes every core from classification; both cores are measured too.
            foreach (var threads in new[] { 1, 2 })
            {
                using var detectorSessions = new OnnxRuntimeSessionFactory(options.ToSessionSettings(intraOpThreads: threads), NullLogger<OnnxRuntimeSession>.Instance);
                await using var detectorEncoder = options.CreateEncoder(detectorSessions, tokenizer, batchWorkers: 1);
                detectorEncoder.WarmUp();
                var detector = OnnxResponseRefusalDetector.Create(detectorEncoder, Path.Combine(models, "detector"));
                var detect = await SequentialAsync(seconds, i => detector.DetectAsync(shortResponses[i % shortResponses.Length], null, CancellationToken.None).AsTask());
                Report(precision, $"detector, ≤ 128-token responses, {threads} thread(s)", detect);
                medians[$"{precision} detector {threads}"] = BenchStatistics.Percentile(detect, 0.5);
            }

            // Observation:DetectorWorkers: one-thread runs side by side, each judge handing the detector one response.
            var judgedPerSecond = new double[3];
            foreach (var workers in new[] { 1, 2 })
            {
                using var detectorSessions = new OnnxRuntimeSessionFactory(options.ToSessionSettings(intraOpThreads: 1), NullLogger<OnnxRuntimeSession>.Instance);
                await using var detectorEncoder = options.CreateEncoder(detectorSessions, tokenizer, batchWorkers: workers);
                detectorEncoder.WarmUp();
                var detector = OnnxResponseRefusalDetector.Create(detectorEncoder, Path.Combine(models, "detector"));
                var (judged, perSecond) = await ConcurrentAsync(seconds, workers, i => detector.DetectAsync(shortResponses[i % shortResponses.Length], null, CancellationToken.None).AsTask());
                Report(precision, $"detector, {workers} worker(s) of 1 thread", judged, perSecond);
                judgedPerSecond[workers] = perSecond;
            }

            Console.WriteLine($"{precision,-9} {$"  2 workers judge x{judgedPerSecond[2] / judgedPerSecond[1]:F2} as many as 1",-44}");
        }

        Console.WriteLine($"int8 / fp32 p50: classifier x{medians["int8 classifier"] / medians["fp32 classifier"]:F2}, detector (1 thread) x{medians["int8 detector 1"] / medians["fp32 detector 1"]:F2}");
    }

    private static async Task<List<double>> SequentialAsync(double seconds, Func<int, Task> call)
    {
        for (var i = 0; i < 100; i++)
        {
            await call(i);
        }

        var latencies = new List<double>();
        var watch = Stopwatch.StartNew();
        for (var i = 0; watch.Elapsed.TotalSeconds < seconds; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call(i);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        latencies.Sort();
        return latencies;
    }

    private static async Task<(List<double> Latencies, double PerSecond)> ConcurrentAsync(double seconds, int callers, Func<int, Task> call)
    {
        var perCaller = new List<double>[callers];
        var stopAt = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async caller =>
        {
            perCaller[caller] = [];
            for (var i = caller; Stopwatch.GetTimestamp() < stopAt; i += callers)
            {
                var start = Stopwatch.GetTimestamp();
                await call(i);
                perCaller[caller].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }));
        var all = perCaller.SelectMany(l => l).Order().ToList();
        return (all, all.Count / watch.Elapsed.TotalSeconds);
    }

    /// <summary>Milliseconds per prompt when the classifier is handed whole batches of <paramref name="batchSize"/> prompts.</summary>
    private static double BatchCost(OnnxPromptClassifier classifier, string[] prompts, int batchSize, double seconds)
    {
        var prompted = 0;
        var watch = Stopwatch.StartNew();
        for (var i = 0; watch.Elapsed.TotalSeconds < seconds; i++)
        {
            var batch = Enumerable.Range(i * batchSize, batchSize).Select(j => prompts[j % prompts.Length]).ToArray();
            classifier.ClassifyBatchAsync(batch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            prompted += batchSize;
        }

        return watch.Elapsed.TotalMilliseconds / prompted;
    }

    private static void Report(string precision, string name, List<double> sorted, double? perSecond = null) =>
        Console.WriteLine($"{precision,-9} {name,-44} {BenchStatistics.Percentile(sorted, 0.5),8:F3} {BenchStatistics.Percentile(sorted, 0.9),8:F3} {BenchStatistics.Percentile(sorted, 0.99),8:F3} {(perSecond ?? 1000 / BenchStatistics.Percentile(sorted, 0.5)),8:F0}");

    private static (string[] Prompts, string[] Responses) LoadTexts(string modelsDirectory)
    {
        var path = SharedDatasets.File(Path.Combine(modelsDirectory, ".."), "chatgpt-refusals", "all_hand_labeled.json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The bench reads real prompts and responses from {path} (../shared/datasets beside the repository, or REFUSALGATE_DATASETS).");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var rows = document.RootElement.EnumerateArray().ToArray();
        return (
            rows.Select(r => r.GetProperty("prompt").GetString() ?? string.Empty).Where(p => p.Length > 0).ToArray(),
            rows.Select(r => r.GetProperty("response").GetString() ?? string.Empty).Where(p => p.Length > 0).ToArray());
    }
}
