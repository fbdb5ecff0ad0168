using System.Text;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.Observation;

namespace RefusalGate.Gateway.Tests;

/// <summary>
/// The gateway reads a stream chunk by chunk as it passes, and the chunks fall wherever the network puts them: inside
/// a line, between "\r" and "\n", inside a multi-byte character. Whatever the cuts, the result must be the one of the
/// whole stream read at once.
/// </summary>
public sealed class EventStreamReaderTests
{
    public static TheoryData<string> Streams() => new()
    {
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Sure, \"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"here it is \u00e9\u4e2d\U0001F600.\"}}]}\r\n\r\n: a comment\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\n\ndata: [DONE]\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\r\rdata: {\"choices\":[{\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\r\rdata: [DONE]\r\r",
        "data: {\"choices\":[{\"delta\":\ndata: {\"content\":\"Hello\"}}]}\n\ndata: [DONE]\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\ndata: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\ndata: [DONE]\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Sure, \"}}]}\n\nevent: error\ndata: {\"message\":\"overloaded\"}\n\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\"}]}}]}\r\n\r\ndata: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\r\n\r\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Once upon\"}}]}\n\ndata: {\"choi",
        "data:{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"no space\"}}]}\n\ndata: not json\n\ndata: [DONE]",
        "\n\n: keep-alive\n\nid: 7\nretry: 10\n\n",
        "data: {\"choices\":[{\"delta\":{\"content\":\"A\"}}]}\r\rdata: {\"choices\":[{\"delta\":{\"content\":\"B\"}}]}\ndata: {\"choices\":[{\"delta\":{\"content\":\"C\"}}]}\n\n",
    };

    /// <summary>Responses API streams: typed events, <c>event:</c> lines, no <c>[DONE]</c>; whole, cut, failed, filtered.</summary>
    public static TheoryData<string> ResponsesStreams() => new()
    {
        ResponsesTextExtractorTests.Stream(["I can", "'t help \u00e9中😀 ", "with that."], ResponsesTextExtractorTests.Completed()),
        ResponsesTextExtractorTests.Stream(["I can't ", "help."], ResponsesTextExtractorTests.Completed(), "response.refusal.delta").Replace("\n", "\r\n", StringComparison.Ordinal),
        ResponsesTextExtractorTests.Stream(["Once ", "upon"], terminal: null),
        ResponsesTextExtractorTests.Stream(["Some"], ResponsesTextExtractorTests.Completed("incomplete", ",\"incomplete_details\":{\"reason\":\"content_filter\"}")),
        ResponsesTextExtractorTests.Stream(["Sure, "], terminal: null) + "event: error\ndata: {\"type\":\"error\",\"sequence_number\":5,\"message\":\"boom\"}\n\n",
        ResponsesTextExtractorTests.Stream(["Sure, "], terminal: null) + "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"item\":{\"type\":\"function_call\"}}\n\ndata: {\"typ",
    };

    /// <summary>
    /// Streams read again with lines past a bound of <see cref="ShortLineBytes"/> bytes, so that nearly every line a cut
    /// falls in is read as it passes (<see cref="ForwardJsonReader"/>), and with small text bounds, so that the text is
    /// cut inside escapes, multi-byte characters and surrogate pairs. Every event's data is one line: one JSON document
    /// split over several data lines is read line by line past the bound (one line of it is longer than the bound),
    /// which the README states.
    /// </summary>
    public static TheoryData<string, LlmEndpoint, int> StreamsWithLongLines()
    {
        var data = new TheoryData<string, LlmEndpoint, int>();
        foreach (var stream in Streams().Cast<object[]>().Select(row => (string)row[0]).Where(s => !s.Contains("\"delta\":\n", StringComparison.Ordinal)))
        {
            data.Add(stream, LlmEndpoint.ChatCompletions, 1 << 20);
        }

        foreach (var stream in ResponsesStreams().Cast<object[]>().Select(row => (string)row[0]))
        {
            data.Add(stream, LlmEndpoint.Responses, 1 << 20);
        }

        // Escapes, multi-byte characters and pairs, whitespace between tokens, a text part array, usage after choices.
        const string Chat =
            "data: { \"id\" : \"c1\" , \"choices\" : [ { \"index\" : 0 , \"delta\" : { \"content\" : \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\\\ \u00e9\u4e2d\U0001F600 end\" } } ] }\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\" part\"}],\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"arguments\":\"{\\\"a\\\":[1,2]}\"}}]},\"finish_reason\":\"tool_calls\",\"logprobs\":{\"content\":[{\"token\":\"x\",\"logprob\":-0.25e-3,\"top\":[true,false,null]}]}}],\"usage\":{\"prompt_tokens\":123456,\"completion_tokens\":7890}}\n\n" +
            "data: [DONE]\n\n";
        foreach (var textChars in new[] { 1 << 20, 1, 5, 6, 7, 8, 12 })
        {
            data.Add(Chat, LlmEndpoint.ChatCompletions, textChars);
        }

        // A terminal event that repeats the answer, with other items around its message and usage after its output.
        var completed = ResponsesTextExtractorTests.Event("response.completed",
            "\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"error\":null,\"incomplete_details\":null,\"output\":[" +
            "{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[],\"encrypted_content\":\"" + new string('Z', 300) + "\"}," +
            "{\"type\":\"message\",\"id\":\"msg_1\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"I can\\u2019t \u00e9\U0001F600 help.\",\"annotations\":[]}]}," +
            "{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{}\"}]," + ResponsesTextExtractorTests.Usage(12, 345) + "}");
        foreach (var textChars in new[] { 1 << 20, 4, 9 })
        {
            data.Add(ResponsesTextExtractorTests.Stream(["I can\\u2019t ", "\u00e9\U0001F600 help."], completed), LlmEndpoint.Responses, textChars);
        }

        return data;
    }

    private const int ShortLineBytes = 16;

    [Theory]
    [MemberData(nameof(Streams))]
    public void Any_chunking_gives_the_result_of_the_whole_stream(string stream) => AssertAnyChunking(stream, LlmEndpoint.ChatCompletions);

    [Theory]
    [MemberData(nameof(ResponsesStreams))]
    public void Any_chunking_of_a_responses_stream_gives_the_result_of_the_whole_stream(string stream) => AssertAnyChunking(stream, LlmEndpoint.Responses);

    [Theory]
    [MemberData(nameof(StreamsWithLongLines))]
    public void Any_chunking_of_lines_past_the_bound_gives_the_result_of_the_whole_stream(string stream, LlmEndpoint endpoint, int maxTextChars)
    {
        var bytes = Encoding.UTF8.GetBytes(stream);
        using var wholeReader = new EventStreamReader(int.MaxValue, maxTextChars, endpoint);
        wholeReader.Append(bytes);
        var whole = wholeReader.Finish();

        // Every single cut and every cut into pieces of one to four bytes (inside every escape and character), byte by
        // byte, and random cuts. (Pairs next to every line end, as below, would take minutes on these longer streams.)
        for (var first = 1; first < bytes.Length; first++)
        {
            Read(bytes, [first], endpoint, ShortLineBytes, maxTextChars).ShouldBe(whole, $"cut at {first}");
            foreach (var second in Enumerable.Range(first + 1, 4).Where(s => s < bytes.Length))
            {
                Read(bytes, [first, second], endpoint, ShortLineBytes, maxTextChars).ShouldBe(whole, $"cuts at {first},{second}");
            }
        }

        Read(bytes, [.. Enumerable.Range(1, bytes.Length - 1)], endpoint, ShortLineBytes, maxTextChars).ShouldBe(whole, "byte by byte");
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var cuts = Enumerable.Range(0, random.Next(3, 40)).Select(_ => random.Next(1, bytes.Length)).Distinct().Order().ToArray();
            Read(bytes, cuts, endpoint, ShortLineBytes, maxTextChars).ShouldBe(whole, $"cuts at {string.Join(",", cuts)}");
        }
    }

    private static void AssertAnyChunking(string stream, LlmEndpoint endpoint)
    {
        var bytes = Encoding.UTF8.GetBytes(stream);
        var whole = ResponseTextExtractor.Extract(bytes, isEventStream: true, truncated: false, endpoint);

        // Every single cut, and pairs of cuts where the second falls near the first or next to a line end: a line end
        // split from its line ("\r" | "\n"), a "\r" line end followed by a chunk without one, a data line split from the
        // blank line that ends its event. (Every pair of a long Responses stream would take a minute.)
        var nearLineEnds = Enumerable.Range(1, bytes.Length - 1).Where(i => bytes[i - 1] is (byte)'\r' or (byte)'\n' || bytes[i] is (byte)'\r' or (byte)'\n').ToArray();
        for (var first = 1; first < bytes.Length; first++)
        {
            Read(bytes, [first], endpoint).ShouldBe(whole, $"cut at {first}");
            foreach (var second in Enumerable.Range(first + 1, 4).Concat(nearLineEnds).Where(s => s > first && s < bytes.Length).Distinct())
            {
                Read(bytes, [first, second], endpoint).ShouldBe(whole, $"cuts at {first},{second}");
            }
        }

        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var cuts = Enumerable.Range(0, random.Next(3, 12)).Select(_ => random.Next(1, bytes.Length)).Distinct().Order().ToArray();
            Read(bytes, cuts, endpoint).ShouldBe(whole, $"cuts at {string.Join(",", cuts)}");
        }
    }

    [Fact]
    public void Invalid_utf8_split_across_chunks_is_replaced_as_in_the_whole()
    {
        byte[] bytes = [.. "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Sorry \""u8[..^1], 0xC3, 0x28, 0xE2, 0x82, .. " no.\"}}]}\n\ndata: [DONE]\n\n"u8];
        var whole = ResponseTextExtractor.Extract(bytes, isEventStream: true, truncated: false);

        whole.Text.ShouldBe("Sorry \ufffd(\ufffd no.");
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            Read(bytes, [cut]).ShouldBe(whole, $"cut at {cut}");
        }
    }

    [Fact]
    public void A_server_that_never_sends_a_blank_line_is_read_in_bounded_memory()
    {
        // 20,000 one-line events (about 1.4 MB) with no blank line between them used to be held as one event until the
        // stream ended, in a buffer as large as the stream; now they cost what the same events with blank lines cost.
        ReadEvents("\n\n", out _); // so that first-call costs count in neither
        var withoutBlankLines = ReadEvents("\n", out var result);
        var withBlankLines = ReadEvents("\n\n", out var usual);

        withoutBlankLines.ShouldBeLessThan(withBlankLines + (withBlankLines / 2), "what is held must not grow with the stream");
        result.ShouldBe(usual);
        result.Text.ShouldBe(string.Concat(Enumerable.Repeat("word ", 20)));
        result.FinishReason.ShouldBe("stop");
        result.Completed.ShouldBeTrue();
        result.Malformed.ShouldBeFalse();
    }

    /// <summary>Bytes allocated reading 20,000 chat events whose lines end with <paramref name="separator"/>.</summary>
    private static long ReadEvents(string separator, out CapturedResponse result)
    {
        var line = Encoding.UTF8.GetBytes("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word \"}}]}" + separator);
        var end = Encoding.UTF8.GetBytes($"data: {{\"choices\":[{{\"index\":0,\"delta\":{{}},\"finish_reason\":\"stop\"}}]}}{separator}data: [DONE]{separator}");
        using var reader = new EventStreamReader(maxLineBytes: 4096, maxTextChars: 100);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20_000; i++)
        {
            reader.Append(line);
        }

        reader.Append(end);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        result = reader.Finish();
        return allocated;
    }

    private static CapturedResponse Read(byte[] bytes, int[] cuts, LlmEndpoint endpoint = LlmEndpoint.ChatCompletions, int maxLineBytes = 1 << 20, int maxTextChars = 1 << 20)
    {
        using var reader = new EventStreamReader(maxLineBytes, maxTextChars, endpoint);
        var start = 0;
        foreach (var cut in cuts.Append(bytes.Length))
        {
            reader.Append(bytes.AsSpan(start, cut - start));
            start = cut;
        }

        return reader.Finish();
    }
}
