using System.Diagnostics;
using System.Globalization;
using System.Text;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.Observation;

/// <summary>
/// What keeping a streamed response for the detector costs, per stream of OpenAI-style token chunks: passing it through
/// untouched (baseline); copying its first bytes on the request path and reading them in the background (how streams
/// were kept until session 14); reading it as it passes (how they are kept now). Reports the median time per stream
/// on the request path and in all, allocation per stream, and what stays in memory until the stream is judged.
/// Then documents longer than the copy limit, read on past it as they pass (<see cref="LongDocuments"/>).
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

        LongDocuments(Math.Max(streams / 10, 20));
    }

    /// <summary>
    /// One-megabyte documents written in 16 KiB chunks, as a proxy passes them: a Responses API stream whose terminal
    /// event repeats a megabyte of answer in one line (past the line bound: read as it passes), and a chat completion
    /// body of a megabyte (past the copy limit: read on as it passes, for its finish reason and usage). Reports the
    /// request-path time per document and per chunk, the background read, and allocation per document.
    /// </summary>
    private static void LongDocuments(int rounds)
    {
        var text = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", (1024 * 1024 / 45) + 1));
        var message = $"{{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{{\"type\":\"output_text\",\"annotations\":[],\"text\":\"{text}\"}}]}}";
        var responsesLine = Encoding.UTF8.GetBytes(
            $"event: response.completed\ndata: {{\"type\":\"response.completed\",\"sequence_number\":9,\"response\":{{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"output\":[{message}],\"usage\":{{\"input_tokens\":12,\"output_tokens\":250000,\"total_tokens\":250012}}}}}}\n\n");
        var chatBody = Encoding.UTF8.GetBytes(
            $"{{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":\"{text}\"}},\"finish_reason\":\"stop\"}}],\"usage\":{{\"prompt_tokens\":11,\"completion_tokens\":250000}}}}");
        var cases = new (string Name, byte[] Bytes, bool EventStream, LlmEndpoint Endpoint)[]
        {
            ("1 MiB response.completed line (SSE)", responsesLine, true, LlmEndpoint.Responses),
            ("1 MiB chat completion body (JSON)", chatBody, false, LlmEndpoint.ChatCompletions),
        };

        Console.WriteLine();
        Console.WriteLine($"Documents past the {Limit / 1024} KiB bound, written in 16 KiB chunks; {rounds} rounds, interleaved, after 20 warm-up rounds.");
        Console.WriteLine($"{"case",-42} {"request path p50",17} {"per chunk",10} {"read p50",9} {"alloc/document",15} {"usage read",11}");
        var requestPath = cases.Select(_ => new List<double>()).ToArray();
        var read = cases.Select(_ => new List<double>()).ToArray();
        var allocated = new long[cases.Length];
        var usage = new int?[cases.Length];
        for (var round = -20; round < rounds; round++)
        {
            for (var c = 0; c < cases.Length; c++)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                var started = Stopwatch.GetTimestamp();
                using var capture = new ResponseCaptureStream(Stream.Null, Limit, () => cases[c].EventStream, cases[c].Endpoint);
                for (var start = 0; start < cases[c].Bytes.Length; start += 16 * 1024)
                {
                    capture.Write(cases[c].Bytes.AsSpan(start, Math.Min(16 * 1024, cases[c].Bytes.Length - start)));
                }

                var copy = capture.Detach();
                var passed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var captured = copy.Read();
                var all = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (round >= 0)
                {
                    allocated[c] += GC.GetAllocatedBytesForCurrentThread() - before;
                    requestPath[c].Add(passed);
                    read[c].Add(all - passed);
                    usage[c] = captured.CompletionTokens;
                }
            }
        }

        for (var c = 0; c < cases.Length; c++)
        {
            var chunks = (cases[c].Bytes.Length + (16 * 1024) - 1) / (16 * 1024);
            var path = BenchStatistics.Median(requestPath[c]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{cases[c].Name,-42} {Us(path),17} {(path * 1000 / chunks),7:0.0} µs {Us(BenchStatistics.Median(read[c])),9} {allocated[c] / rounds,15:N0} {(usage[c] is { } u ? u.ToString(CultureInfo.InvariantCulture) : "lost"),11}"));
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
