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

    [Theory]
    [MemberData(nameof(Streams))]
    public void Any_chunking_gives_the_result_of_the_whole_stream(string stream) => AssertAnyChunking(stream, LlmEndpoint.ChatCompletions);

    [Theory]
    [MemberData(nameof(ResponsesStreams))]
    public void Any_chunking_of_a_responses_stream_gives_the_result_of_the_whole_stream(string stream) => AssertAnyChunking(stream, LlmEndpoint.Responses);

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

    private static CapturedResponse Read(byte[] bytes, int[] cuts, LlmEndpoint endpoint = LlmEndpoint.ChatCompletions)
    {
        using var reader = new EventStreamReader(maxLineBytes: 1 << 20, maxTextChars: 1 << 20, endpoint);
        var start = 0;
        foreach (var cut in cuts.Append(bytes.Length))
        {
            reader.Append(bytes.AsSpan(start, cut - start));
            start = cut;
        }

        return reader.Finish();
    }
}
