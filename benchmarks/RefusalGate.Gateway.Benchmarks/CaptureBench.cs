using System.Diagnostics;
using System.Globalization;
using System.Text;
using RefusalGate.Gateway.Observation;

/// <summary>
/// What keeping a streamed response for the detector costs, per stream of OpenAI-style token chunks: passing it through
/// untouched (baseline); copying its first bytes on the request path and reading them in the background (how streams
/// were kept until session 14); reading it as it passes (how they are kept now). Reports the median time per stream
/// on the request path and in all, allocation per stream, and what stays in memory until the stream is judged.
/// </summary>
internal static class CaptureBench
{
    private const int Limit = 256 * 1024;

    public static void Run(int streams, int tokens)
    {
        var chunks = Chunks(tokens);
        var bytes = chunks.Sum(c => c.Length);
        var cases = new (string Name, Func<(double RequestPath, double Total, long Kept)> Run)[]
        {
            ("pass-through only (baseline)", () => Time(() => PassThrough(chunks))),
            ("copy first 256 KiB, read in background", () => CopyThenRead(chunks)),
            ("read as it passes (shipped)", () => ReadAsItPasses(chunks)),
        };

        var requestPath = cases.Select(_ => new List<double>()).ToArray();
        var total = cases.Select(_ => new List<double>()).ToArray();
        var allocated = new long[cases.Length];
        var kept = new long[cases.Length];
        for (var warmUp = 0; warmUp < 200; warmUp++)
        {
            foreach (var c in cases)
            {
                c.Run();
            }
        }

        // Interleaved, so a machine whose speed drifts affects every case alike.
        for (var i = 0; i < streams; i++)
        {
            for (var c = 0; c < cases.Length; c++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                var (path, all, keep) = cases[c].Run();
                allocated[c] += GC.GetAllocatedBytesForCurrentThread() - before;
                requestPath[c].Add(path);
                total[c].Add(all);
                kept[c] = keep;
            }
        }

        Console.WriteLine($"{streams} streams per case, {tokens} chunks each ({bytes:N0} bytes, {bytes / tokens} per chunk), interleaved, after 200 warm-up rounds.");
        Console.WriteLine($"{"case",-42} {"request path p50",17} {"p99",9} {"total p50",10} {"vs copy",8} {"alloc/stream",13} {"kept",9}");
        var copy = BenchStatistics.Median(total[1]);
        for (var c = 0; c < cases.Length; c++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{cases[c].Name,-42} {Us(BenchStatistics.Median(requestPath[c])),17} {Us(BenchStatistics.Percentile(requestPath[c], 0.99)),9} {Us(BenchStatistics.Median(total[c])),10} {BenchStatistics.Median(total[c]) / copy,7:0.00}x {allocated[c] / streams,13:N0} {kept[c],9:N0}"));
        }
    }

    private static string Us(double ms) => string.Create(CultureInfo.InvariantCulture, $"{ms * 1000:0} µs");

    private static byte[][] Chunks(int tokens)
    {
        var words = new[] { "The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog. " };
        var chunks = new List<byte[]>();
        for (var i = 0; i < tokens; i++)
        {
            chunks.Add(Encoding.UTF8.GetBytes(
                $"data: {{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{words[i % words.Length]}\"}},\"finish_reason\":null}}]}}\n\n"));
        }

        chunks.Add("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"u8.ToArray());
        return [.. chunks];
    }

    private static void PassThrough(byte[][] chunks)
    {
        foreach (var chunk in chunks)
        {
            Stream.Null.Write(chunk);
        }
    }

    private static (double, double, long) Time(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return (elapsed, elapsed, 0);
    }

    private static (double, double, long) CopyThenRead(byte[][] chunks)
    {
        var started = Stopwatch.GetTimestamp();
        using var capture = new ResponseCaptureStream(Stream.Null, Limit, () => false);
        foreach (var chunk in chunks)
        {
            capture.Write(chunk);
        }

        var copy = capture.Captured.ToArray();
        var requestPath = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var read = ResponseTextExtractor.Extract(copy, isEventStream: true, capture.Truncated);
        GC.KeepAlive(read);
        return (requestPath, Stopwatch.GetElapsedTime(started).TotalMilliseconds, copy.Length);
    }

    private static (double, double, long) ReadAsItPasses(byte[][] chunks)
    {
        var started = Stopwatch.GetTimestamp();
        using var capture = new ResponseCaptureStream(Stream.Null, Limit, () => true);
        foreach (var chunk in chunks)
        {
            capture.Write(chunk);
        }

        var read = capture.Detach().Read();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return (elapsed, elapsed, read.Text.Length * sizeof(char));
    }
}
