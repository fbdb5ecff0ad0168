using System.Text;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.Observation;

namespace RefusalGate.Gateway.Tests;

/// <summary>
/// What sits at the end of a long answer — the finish reason, status, usage — is read however far past
/// <c>Observation:MaxCapturedBytes</c> it lies: in an SSE line longer than the bound (a Responses API terminal event
/// repeats the whole answer in one line) and in a JSON body longer than its copy (usage comes after the choices, a
/// chat completion's finish reason after its message). Each answer here is written as the gateway passes it on, in chunks.
/// </summary>
public sealed class LongDocumentTests
{
    private const int Limit = 256 * 1024; // ObservationOptions' default
    private const int Chunk = 16 * 1024;
    private static readonly string Megabyte = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 1024 * 1024 / 45 + 1));

    [Fact]
    public void A_response_completed_event_longer_than_the_bound_completes_the_stream_with_its_usage()
    {
        // A megabyte of text in deltas, repeated by the terminal event in one line of over a megabyte.
        var deltas = Megabyte.Chunk(4096).Select(c => new string(c)).ToArray();
        var stream = ResponsesTextExtractorTests.Stream(deltas, ResponsesTextExtractorTests.Event("response.completed",
            $"\"response\":{{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"output\":[{Message(Megabyte)}],{ResponsesTextExtractorTests.Usage(12, 250_000)}}}"));

        var captured = Pass(stream, isEventStream: true, LlmEndpoint.Responses);

        captured.Completed.ShouldBeTrue();
        captured.FinishReason.ShouldBe("stop");
        captured.PromptTokens.ShouldBe(12);
        captured.CompletionTokens.ShouldBe(250_000);
        captured.Malformed.ShouldBeFalse();
        captured.HasError.ShouldBeFalse();
        captured.Text.ShouldBe(Megabyte[..ResponseCaptureStream.StreamTextChars]);
        captured.Truncated.ShouldBeTrue(); // the stream's text is longer than what is kept, as for any long stream
    }

    [Fact]
    public void A_long_terminal_event_loses_no_text_so_the_stream_is_not_truncated()
    {
        // A short answer whose final response carries a megabyte besides its text (a reasoning item's encrypted content).
        var reasoning = $"{{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[],\"encrypted_content\":\"{new string('Q', 1024 * 1024)}\"}}";
        var stream = ResponsesTextExtractorTests.Stream(["I can't ", "help with that."], ResponsesTextExtractorTests.Event("response.completed",
            $"\"response\":{{\"object\":\"response\",\"status\":\"completed\",\"output\":[{reasoning},{Message("I can't help with that.")}],{ResponsesTextExtractorTests.Usage(9, 6)}}}"));

        var captured = Pass(stream, isEventStream: true, LlmEndpoint.Responses);

        captured.Text.ShouldBe("I can't help with that.");
        captured.Completed.ShouldBeTrue();
        captured.Truncated.ShouldBeFalse();
        captured.Malformed.ShouldBeFalse();
        captured.CompletionTokens.ShouldBe(6);
    }

    [Fact]
    public void A_response_incomplete_event_past_the_bound_gives_its_content_filter()
    {
        var stream = ResponsesTextExtractorTests.Stream(["Some text"], ResponsesTextExtractorTests.Event("response.incomplete",
            $"\"response\":{{\"object\":\"response\",\"status\":\"incomplete\",\"output\":[{Message(Megabyte)}],{ResponsesTextExtractorTests.Usage(3, 4)},\"incomplete_details\":{{\"reason\":\"content_filter\"}}}}"));

        var captured = Pass(stream, isEventStream: true, LlmEndpoint.Responses);

        captured.FinishReason.ShouldBe("content_filter");
        captured.Completed.ShouldBeTrue();
        captured.Malformed.ShouldBeFalse();
    }

    [Fact]
    public void A_response_failed_event_past_the_bound_is_an_error()
    {
        var stream = ResponsesTextExtractorTests.Stream(["Some text"], ResponsesTextExtractorTests.Event("response.failed",
            $"\"response\":{{\"object\":\"response\",\"status\":\"failed\",\"output\":[{Message(Megabyte)}],\"error\":{{\"code\":\"server_error\",\"message\":\"boom\"}}}}"));

        var captured = Pass(stream, isEventStream: true, LlmEndpoint.Responses);

        captured.HasError.ShouldBeTrue();
        captured.Completed.ShouldBeTrue();
    }

    [Fact]
    public void A_long_function_call_arguments_delta_is_not_text_and_loses_none()
    {
        var arguments = $"{{\\\"data\\\":\\\"{new string('a', 300 * 1024)}\\\"}}";
        var stream = ResponsesTextExtractorTests.Event("response.output_item.added", "\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"c1\",\"name\":\"save\",\"arguments\":\"\"}")
            + ResponsesTextExtractorTests.Event("response.function_call_arguments.delta", $"\"item_id\":\"fc_1\",\"output_index\":0,\"delta\":\"{arguments}\"")
            + ResponsesTextExtractorTests.Event("response.completed", $"\"response\":{{\"object\":\"response\",\"status\":\"completed\",\"output\":[{{\"type\":\"function_call\",\"id\":\"fc_1\",\"arguments\":\"{arguments}\"}}],{ResponsesTextExtractorTests.Usage(4, 5)}}}");

        var captured = Pass(stream, isEventStream: true, LlmEndpoint.Responses);

        captured.HasToolCalls.ShouldBeTrue();
        captured.FinishReason.ShouldBe("tool_calls");
        captured.Text.ShouldBe("");
        captured.Truncated.ShouldBeFalse();
        captured.Malformed.ShouldBeFalse();
        captured.Completed.ShouldBeTrue();
    }

    [Fact]
    public void A_chat_chunk_carrying_the_whole_answer_keeps_its_text_start_and_its_finish_reason()
    {
        // Some proxies "stream" by sending the whole answer in one chunk.
        var stream = $"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\"content\":\"{Megabyte}\"}},\"finish_reason\":\"content_filter\"}}],\"usage\":{{\"prompt_tokens\":5,\"completion_tokens\":6}}}}\n\ndata: [DONE]\n\n";

        var captured = Pass(stream, isEventStream: true, LlmEndpoint.ChatCompletions);

        captured.Text.ShouldBe(Megabyte[..ResponseCaptureStream.StreamTextChars]);
        captured.Truncated.ShouldBeTrue();
        captured.FinishReason.ShouldBe("content_filter");
        captured.CompletionTokens.ShouldBe(6);
        captured.Malformed.ShouldBeFalse();
    }

    [Fact]
    public void A_chat_body_past_the_bound_keeps_its_finish_reason_and_usage()
    {
        var body = $"{{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":\"{Megabyte}\",\"refusal\":null}},\"logprobs\":null,\"finish_reason\":\"content_filter\"}}],\"usage\":{{\"prompt_tokens\":11,\"completion_tokens\":262144,\"total_tokens\":262155}}}}";

        var captured = Pass(body, isEventStream: false, LlmEndpoint.ChatCompletions);

        captured.FinishReason.ShouldBe("content_filter");
        captured.PromptTokens.ShouldBe(11);
        captured.CompletionTokens.ShouldBe(262144);
        captured.Text.ShouldStartWith("The quick brown fox");
        captured.Truncated.ShouldBeTrue(); // the text is read from the copy of the body's start
        captured.Completed.ShouldBeTrue();
        captured.Malformed.ShouldBeFalse();
    }

    [Fact]
    public void A_chat_body_past_the_bound_with_tool_calls_after_its_text_is_a_tool_call()
    {
        var body = $"{{\"choices\":[{{\"index\":0,\"message\":{{\"content\":\"{Megabyte}\",\"tool_calls\":[{{\"id\":\"c1\",\"type\":\"function\",\"function\":{{\"name\":\"f\",\"arguments\":\"{{}}\"}}}}]}},\"finish_reason\":\"tool_calls\"}}]}}";

        var captured = Pass(body, isEventStream: false, LlmEndpoint.ChatCompletions);

        captured.HasToolCalls.ShouldBeTrue();
        captured.FinishReason.ShouldBe("tool_calls");
    }

    [Fact]
    public void A_responses_body_past_the_bound_keeps_its_status_and_usage()
    {
        var body = $"{{\"id\":\"resp_1\",\"object\":\"response\",\"output\":[{Message(Megabyte)}],\"status\":\"incomplete\",\"incomplete_details\":{{\"reason\":\"content_filter\"}},{ResponsesTextExtractorTests.Usage(8, 9)}}}";

        var captured = Pass(body, isEventStream: false, LlmEndpoint.Responses);

        captured.FinishReason.ShouldBe("content_filter");
        captured.PromptTokens.ShouldBe(8);
        captured.CompletionTokens.ShouldBe(9);
        captured.Text.ShouldStartWith("The quick brown fox");
        captured.Completed.ShouldBeTrue();
        captured.Malformed.ShouldBeFalse();
    }

    [Fact]
    public void A_body_past_the_bound_that_is_not_json_is_unreadable()
    {
        var captured = Pass("<html>" + Megabyte + "</html>", isEventStream: false, LlmEndpoint.ChatCompletions);

        captured.Malformed.ShouldBeTrue();
        captured.Completed.ShouldBeFalse();
    }

    [Fact]
    public void A_body_past_the_bound_that_breaks_off_is_not_completed()
    {
        var body = $"{{\"choices\":[{{\"index\":0,\"message\":{{\"content\":\"{Megabyte}\"}},\"finish_reason\":\"stop\"}}],\"usage\":{{\"prompt_tok";

        var captured = Pass(body, isEventStream: false, LlmEndpoint.ChatCompletions);

        captured.Completed.ShouldBeFalse();
        captured.Text.ShouldStartWith("The quick brown fox");
    }

    [Fact]
    public void A_huge_string_split_across_many_chunks_is_read_in_bounded_memory()
    {
        // Four megabytes of text with escapes, in chunks of 1,000 bytes: only the text bound's worth is kept.
        var text = string.Concat(Enumerable.Repeat("caf\\u00e9 \\\"quoted\\\" \u00e9\U0001F600 ", 4 * 1024 * 1024 / 32));
        var line = Encoding.UTF8.GetBytes($"{{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{text}\"}},\"finish_reason\":\"length\"}}],\"usage\":{{\"prompt_tokens\":1,\"completion_tokens\":2}}}}");
        var reader = new ForwardJsonReader(JsonShape.For(LlmEndpoint.ChatCompletions, streamed: true), textChars: 2001);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var start = 0; start < line.Length; start += 1000)
        {
            reader.Append(line.AsSpan(start, Math.Min(1000, line.Length - start)));
        }

        reader.TryFinish(out var kept, out var textCut).ShouldBeTrue();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.ShouldBeLessThan(64 * 1024, "memory held must not grow with the string");
        textCut.ShouldBeFalse(); // one string, cut one character past the bound: the state sees the cut itself
        var state = new ExtractionState(maxTextChars: 2000);
        state.TryReadDocument(kept, streamed: true).ShouldBeTrue();
        var captured = state.ToResult(completed: true, truncated: false);
        captured.Text.ShouldStartWith("caf\u00e9 \"quoted\" \u00e9\U0001F600 caf\u00e9");
        captured.Text.Length.ShouldBeInRange(1999, 2000); // never half a surrogate pair
        captured.Truncated.ShouldBeTrue();
        captured.FinishReason.ShouldBe("length");
        captured.CompletionTokens.ShouldBe(2);
    }

    /// <summary>Every kind of body the extractor tests read whole: the members the state reads of each must all be kept.</summary>
    public static TheoryData<string, LlmEndpoint> Bodies()
    {
        const string Message = """{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"I can't help.","annotations":[]}]}""";
        var data = new TheoryData<string, LlmEndpoint>();
        foreach (var body in new[]
        {
            """{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"I can't help with that."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":7}}""",
            """{"choices":[{"message":{"content":null,"tool_calls":[{"id":"1","type":"function"}]},"finish_reason":"tool_calls"}]}""",
            """{"choices":[{"message":{"content":null,"function_call":{"name":"f","arguments":"{}"}},"finish_reason":"function_call"}]}""",
            """{"choices":[{"index":1,"message":{"content":"second","tool_calls":[{}]},"finish_reason":"length"},{"index":0.0,"message":{"content":[{"type":"text","text":"first"}]},"finish_reason":"content_filter"}],"usage":{"prompt_tokens":1.5,"completion_tokens":4294967296}}""",
            """{"choices":[{"text":"A haiku.","index":0,"finish_reason":"stop"}],"usage":{"completion_tokens":3}}""",
            """{"error":{"message":"overloaded","type":"server_error"}}""",
            """{"error":"overloaded"}""",
            """{"choices":"none","usage":[1]}""",
            """{"foo":1}""",
            "[1,2,3]",
            "\"text\"",
            """{"choices":[{"message":{"content":"x"},"finish_reason":"stop"}]}{"choices":[]}""",
            """{"choices":[{"message":{"content":"x"},"finish_reason":"st""",
        })
        {
            data.Add(body, LlmEndpoint.ChatCompletions);
        }

        foreach (var body in new[]
        {
            $$$"""{"id":"resp_1","object":"response","status":"completed","error":null,"incomplete_details":null,"output":[{"type":"reasoning","id":"rs_1","summary":[]},{{{Message}}}],"usage":{"input_tokens":12,"output_tokens":7}}""",
            """{"object":"response","status":"completed","output":[{"type":"function_call","id":"fc_1","call_id":"c1","name":"lookup","arguments":"{}"}]}""",
            $$$"""{"object":"response","output":[{{{Message}}}],"status":"incomplete","incomplete_details":{"reason":"content_filter"}}""",
            $$$"""{"object":"response","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"output":[{{{Message}}}]}""",
            """{"object":"response","status":"failed","error":{"code":"server_error","message":"boom"},"output":[]}""",
            """{"object":"response","status":"completed","error":{"code":"server_error"},"output":[]}""",
            """{"error":{"message":"overloaded","type":"server_error"}}""",
            """{"id":"resp_1","object":"response","status":"queued","background":true,"output":[]}""",
            """{"type":"response.completed","response":{"object":"response","status":"completed","output":[],"usage":{"input_tokens":1,"output_tokens":2}}}""",
            """{"choices":[{"message":{"content":"hi"},"finish_reason":"stop"}]}""",
        })
        {
            data.Add(body, LlmEndpoint.Responses);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public void A_body_past_the_bound_is_read_as_it_would_be_whole_however_it_is_cut(string body, LlmEndpoint endpoint)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var whole = Fields(ResponseTextExtractor.Extract(bytes, isEventStream: false, truncated: false, endpoint));

        foreach (var limit in new[] { 1, 8, 40 })
        {
            for (var cut = 1; cut < bytes.Length; cut++)
            {
                using var capture = new ResponseCaptureStream(Stream.Null, limit, () => false, endpoint);
                capture.Write(bytes.AsSpan(0, cut));
                capture.Write(bytes.AsSpan(cut));
                Fields(capture.Detach().Read()).ShouldBe(whole, $"limit {limit}, cut at {cut}");
            }
        }
    }

    /// <summary>What a body past the bound gets from its members rather than from the copy of its start.</summary>
    private static CapturedResponse Fields(CapturedResponse captured) => captured with { Text = "", Truncated = false };

    private static string Message(string text) =>
        $"{{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{{\"type\":\"output_text\",\"annotations\":[],\"text\":\"{text}\"}}]}}";

    /// <summary>Writes <paramref name="response"/> through the capture as the gateway passes it to the client, then reads the copy.</summary>
    private static CapturedResponse Pass(string response, bool isEventStream, LlmEndpoint endpoint)
    {
        var bytes = Encoding.UTF8.GetBytes(response);
        using var client = new MemoryStream();
        using var capture = new ResponseCaptureStream(client, Limit, () => isEventStream, endpoint);
        foreach (var chunk in bytes.Chunk(Chunk))
        {
            capture.Write(chunk);
        }

        client.ToArray().ShouldBe(bytes); // the client gets every byte, unchanged
        return capture.Detach().Read();
    }
}
