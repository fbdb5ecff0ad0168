using System.Text;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.Observation;

namespace RefusalGate.Gateway.Tests;

public sealed class ResponseTextExtractorTests
{
    private static CapturedResponse Json(string body) => ResponseTextExtractor.Extract(Encoding.UTF8.GetBytes(body), isEventStream: false, truncated: false);

    /// <summary>The first <paramref name="bytes"/> bytes of a body, as the capture keeps them past its limit.</summary>
    private static CapturedResponse CutJson(string body, int bytes) =>
        ResponseTextExtractor.Extract(Encoding.UTF8.GetBytes(body).AsSpan(0, bytes), isEventStream: false, truncated: true);

    private static CapturedResponse Sse(string body) => ResponseTextExtractor.Extract(Encoding.UTF8.GetBytes(body), isEventStream: true, truncated: false);

    [Fact]
    public void Reads_a_whole_chat_completion()
    {
        var captured = Json("""{"choices":[{"index":0,"message":{"role":"assistant","content":"I can't help with that."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":7}}""");

        captured.Text.ShouldBe("I can't help with that.");
        captured.FinishReason.ShouldBe("stop");
        captured.Completed.ShouldBeTrue();
        captured.PromptTokens.ShouldBe(9);
        captured.CompletionTokens.ShouldBe(7);
    }

    [Fact]
    public void Joins_streamed_deltas_and_sees_the_end()
    {
        var captured = Sse(
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Sure, \"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"here it is.\"}}]}\r\n\r\n" +
            ": a comment line\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
            "data: [DONE]\n\n");

        captured.Text.ShouldBe("Sure, here it is.");
        captured.Completed.ShouldBeTrue();
        captured.Malformed.ShouldBeFalse();
    }

    [Fact]
    public void A_cut_stream_keeps_its_text_and_is_not_completed()
    {
        var captured = Sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Once upon\"}}]}\n\ndata: {\"choi");

        captured.Text.ShouldBe("Once upon");
        captured.Completed.ShouldBeFalse();
        captured.Malformed.ShouldBeTrue();
    }

    [Fact]
    public void Tool_calls_and_content_filters_are_seen()
    {
        Json("""{"choices":[{"message":{"content":null,"tool_calls":[{"id":"1","type":"function"}]},"finish_reason":"tool_calls"}]}""").HasToolCalls.ShouldBeTrue();
        Json("""{"choices":[{"message":{"content":""},"finish_reason":"content_filter"}]}""").FinishReason.ShouldBe("content_filter");
    }

    [Fact]
    public void The_providers_refusal_field_counts_as_text()
    {
        Json("""{"choices":[{"message":{"content":null,"refusal":"I'm sorry, I cannot assist."},"finish_reason":"stop"}]}""").Text.ShouldBe("I'm sorry, I cannot assist.");
    }

    [Fact]
    public void Text_completions_are_read_too()
    {
        Json("""{"choices":[{"text":"A haiku.","index":0,"finish_reason":"stop"}]}""").Text.ShouldBe("A haiku.");
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html>502 Bad Gateway</html>")]
    [InlineData("[1,2,3]")]
    public void Unreadable_bodies_are_flagged_not_thrown(string body)
    {
        var captured = Json(body);

        captured.Text.ShouldBeEmpty();
        captured.Malformed.ShouldBeTrue();
    }

    [Fact]
    public void Invalid_utf8_is_replaced_and_the_rest_is_read()
    {
        byte[] body = [.. "{\"choices\":[{\"message\":{\"content\":\"Sorry \""u8[..^1], 0xC3, 0x28, .. " no.\"},\"finish_reason\":\"stop\"}]}"u8];

        var captured = ResponseTextExtractor.Extract(body, isEventStream: false, truncated: false);

        captured.Text.ShouldBe("Sorry \ufffd( no.");
        captured.Malformed.ShouldBeFalse();
    }

    [Theory]
    [InlineData("""{"choices":[{"index":0.0,"message":{"content":"first"}},{"index":4294967296,"message":{"content":"other"}}]}""", "first")]
    [InlineData("""{"choices":[{"index":1,"message":{"content":"second"}},{"index":0,"message":{"content":"first"}}]}""", "first")]
    [InlineData("""{"choices":[{"message":{"content":[{"type":"text","text":"I'm sorry, "},{"type":"image_url"},{"type":"text","text":"I can't."}]}}]}""", "I'm sorry, I can't.")]
    public void Odd_indexes_and_content_parts_are_read(string body, string text) => Json(body).Text.ShouldBe(text);

    [Fact]
    public void A_legacy_function_call_is_a_tool_call() =>
        Json("""{"choices":[{"message":{"content":null,"function_call":{"name":"f","arguments":"{}"}},"finish_reason":"function_call"}]}""").HasToolCalls.ShouldBeTrue();

    [Theory]
    [InlineData(false, """{"error":{"message":"overloaded","type":"server_error"}}""")]
    [InlineData(true, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Sure, \"}}]}\n\nevent: error\ndata: {\"message\":\"overloaded\"}\n\n")]
    [InlineData(true, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Sure, \"}}]}\n\ndata: {\"error\":{\"message\":\"overloaded\"}}\n\n")]
    public void The_providers_error_object_in_a_200_is_an_error_not_an_answer(bool stream, string body) =>
        (stream ? Sse(body) : Json(body)).HasError.ShouldBeTrue();

    [Fact]
    public void Json_that_is_not_the_providers_format_is_unreadable() => Json("""{"foo":1}""").Malformed.ShouldBeTrue();

    [Theory]
    [InlineData("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\r\rdata: {\"choices\":[{\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\r\rdata: [DONE]\r\r")]
    [InlineData("data: {\"choices\":[{\"delta\":\ndata: {\"content\":\"Hello\"}}]}\n\ndata: [DONE]\n\n")]
    [InlineData("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\ndata: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\ndata: [DONE]\n")]
    public void Bare_cr_line_ends_multi_line_data_and_missing_blank_lines_are_read(string body)
    {
        var captured = Sse(body);

        captured.Text.ShouldBe("Hello");
        captured.Completed.ShouldBeTrue();
        captured.Malformed.ShouldBeFalse();
    }

    [Fact]
    public void A_stream_without_a_single_data_line_is_unreadable()
    {
        byte[] gzipped = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4B, 0x49, 0x2C, 0x49];

        ResponseTextExtractor.Extract(gzipped, isEventStream: true, truncated: false).Malformed.ShouldBeTrue();
    }

    [Fact]
    public void A_whole_json_body_is_complete_without_a_finish_reason() =>
        Json("""{"choices":[{"message":{"content":"Hi."},"finish_reason":null}]}""").Completed.ShouldBeTrue();

    [Fact]
    public void A_one_megabyte_answer_keeps_as_much_text_as_a_stream_and_says_it_lost_the_rest()
    {
        var content = new string('x', 1024 * 1024);

        var captured = Json($$"""{"choices":[{"message":{"content":"{{content}}"},"finish_reason":"stop"}]}""");

        captured.Text.Length.ShouldBe(ResponseCaptureStream.StreamTextChars);
        captured.Truncated.ShouldBeTrue();
        captured.FinishReason.ShouldBe("stop");
        captured.Completed.ShouldBeTrue();
    }

    [Fact]
    public void A_json_body_cut_inside_its_text_keeps_the_text_up_to_the_cut()
    {
        var body = """{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"I can\u2019t help with that.\n\"No\" \ud83d\ude00 """ + new string('a', 1000) + "\"}}]}";

        var captured = CutJson(body, body.Length - 100);

        captured.Text.ShouldBe("I can\u2019t help with that.\n\"No\" \ud83d\ude00 " + new string('a', 1000 - (100 - "\"}}]}".Length)));
        captured.Truncated.ShouldBeTrue();
        captured.Completed.ShouldBeTrue(); // only the transfer can tell past the capture limit (the judge's "aborted")
        captured.Malformed.ShouldBeFalse();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_long_cut_body_gives_the_text_bound_and_no_more(bool inOneString)
    {
        // Escaped characters and pairs, so that the bound falls between escapes; whole strings, or one cut at the end.
        const string Piece = "caf\\u00e9 \\ud83d\\ude00 ";
        var content = string.Concat(Enumerable.Repeat(Piece, 20_000));
        var body = inOneString
            ? "{\"choices\":[{\"message\":{\"content\":\"" + content
            : """{"output":[{"type":"message","content":[""" + string.Join(',', Enumerable.Range(0, 200).Select(_ => $$"""{"type":"output_text","text":"{{string.Concat(Enumerable.Repeat(Piece, 100))}}"}""")) + ",";

        var captured = inOneString ? CutJson(body, body.Length) : ResponseTextExtractor.Extract(Encoding.UTF8.GetBytes(body), isEventStream: false, truncated: true, LlmEndpoint.Responses);

        captured.Text.Length.ShouldBeInRange(ResponseCaptureStream.StreamTextChars - 1, ResponseCaptureStream.StreamTextChars); // never half a pair
        captured.Text.ShouldStartWith("caf\u00e9 \U0001F600 caf\u00e9");
        captured.Truncated.ShouldBeTrue();
    }

    [Theory]
    [InlineData("\\u00", "x")] // inside a \u escape
    [InlineData("\\", "x")] // right after the backslash
    [InlineData("\u00e9", "x\ufffd")] // inside a two-byte character
    public void A_cut_inside_an_escape_or_a_character_ends_the_text_there(string tail, string expected)
    {
        var body = """{"choices":[{"message":{"content":"x""" + tail;

        CutJson(body, Encoding.UTF8.GetByteCount(body) - (tail == "\u00e9" ? 1 : 0)).Text.ShouldBe(expected);
    }

    [Fact]
    public void A_json_body_cut_after_its_text_keeps_the_whole_text_of_the_first_choice_only()
    {
        var body = """{"choices":[{"index":0,"message":{"content":"Sure: 1, 2, 3."},"logprobs":[1,2,3]},{"index":1,"message":{"content":"other"}}],"usage":{}}""";

        CutJson(body, body.IndexOf("other", StringComparison.Ordinal)).Text.ShouldBe("Sure: 1, 2, 3.");
    }

    [Fact]
    public void A_cut_text_completion_is_read_too() =>
        CutJson("""{"choices":[{"text":"Once upon a time, far away","index":0}]}""", 40).Text.ShouldBe("Once upon a time, f");
}
