using System.Text;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.Observation;

namespace RefusalGate.Gateway.Tests;

/// <summary>Reading a Responses API answer: a whole <c>response</c> object, or its stream of typed events.</summary>
public sealed class ResponsesTextExtractorTests
{
    private static CapturedResponse Json(string body) =>
        ResponseTextExtractor.Extract(Encoding.UTF8.GetBytes(body), isEventStream: false, truncated: false, LlmEndpoint.Responses);

    private static CapturedResponse Sse(string body) =>
        ResponseTextExtractor.Extract(Encoding.UTF8.GetBytes(body), isEventStream: true, truncated: false, LlmEndpoint.Responses);

    /// <summary>One event as OpenAI frames it: an <c>event:</c> line naming the type, then the data.</summary>
    internal static string Event(string type, string fields) =>
        $"event: {type}\ndata: {{\"type\":\"{type}\",\"sequence_number\":0{(fields.Length > 0 ? "," + fields : "")}}}\n\n";

    internal static string Usage(int input, int output) =>
        $"\"usage\":{{\"input_tokens\":{input},\"input_tokens_details\":{{\"cached_tokens\":0}},\"output_tokens\":{output},\"output_tokens_details\":{{\"reasoning_tokens\":0}},\"total_tokens\":{input + output}}}";

    private const string Message = """{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"I can't help with that.","annotations":[]}]}""";

    /// <summary>A streamed answer of <paramref name="deltas"/>, ended by <paramref name="terminal"/> (none: cut).</summary>
    internal static string Stream(string[] deltas, string? terminal, string deltaType = "response.output_text.delta")
    {
        var stream = new StringBuilder()
            .Append(Event("response.created", "\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[],\"usage\":null}"))
            .Append(Event("response.in_progress", "\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}"))
            .Append(Event("response.output_item.added", "\"output_index\":0,\"item\":{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}"))
            .Append(Event("response.content_part.added", "\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"part\":{\"type\":\"output_text\",\"text\":\"\",\"annotations\":[]}"));
        foreach (var delta in deltas)
        {
            stream.Append(Event(deltaType, $"\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"{delta}\",\"logprobs\":[]"));
        }

        if (terminal is not null)
        {
            var text = string.Concat(deltas);
            stream.Append(Event("response.output_text.done", $"\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"text\":\"{text}\""))
                .Append(Event("response.output_item.done", $"\"output_index\":0,\"item\":{{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{{\"type\":\"output_text\",\"text\":\"{text}\",\"annotations\":[]}}]}}"))
                .Append(terminal);
        }

        return stream.ToString();
    }

    internal static string Completed(string status = "completed", string extra = "") =>
        Event($"response.{status}", $"\"response\":{{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"{status}\",\"output\":[{Message}],{Usage(12, 7)}{extra}}}");

    [Fact]
    public void Reads_a_whole_response()
    {
        var captured = Json($$"""{"id":"resp_1","object":"response","created_at":1,"status":"completed","error":null,"incomplete_details":null,"model":"gpt-4.1","output":[{"type":"reasoning","id":"rs_1","summary":[]},{{Message}}],{{Usage(12, 7)}}}""");

        captured.Text.ShouldBe("I can't help with that.");
        captured.FinishReason.ShouldBe("stop");
        captured.Completed.ShouldBeTrue();
        captured.Malformed.ShouldBeFalse();
        captured.HasError.ShouldBeFalse();
        captured.HasToolCalls.ShouldBeFalse();
        captured.PromptTokens.ShouldBe(12);
        captured.CompletionTokens.ShouldBe(7);
    }

    [Fact]
    public void Text_and_refusal_parts_of_every_message_are_the_text_in_order()
    {
        var captured = Json("""
            {"object":"response","status":"completed","output":[
              {"type":"message","role":"assistant","content":[{"type":"refusal","refusal":"I can't help "},{"type":"output_text","text":"with that.","annotations":[]}]},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":" Sorry."}]}]}
            """);

        captured.Text.ShouldBe("I can't help with that. Sorry.");
    }

    [Fact]
    public void A_function_call_item_is_a_tool_call()
    {
        var captured = Json("""{"object":"response","status":"completed","output":[{"type":"function_call","id":"fc_1","call_id":"c1","name":"lookup","arguments":"{}","status":"completed"}]}""");

        captured.HasToolCalls.ShouldBeTrue();
        captured.FinishReason.ShouldBe("tool_calls");
        captured.Text.ShouldBe("");
    }

    [Theory]
    [InlineData("content_filter", "content_filter")]
    [InlineData("max_output_tokens", "length")]
    public void An_incomplete_response_gives_its_reason_as_the_finish_reason(string reason, string finishReason)
    {
        var captured = Json($$"""{"object":"response","status":"incomplete","incomplete_details":{"reason":"{{reason}}"},"output":[{{Message}}]}""");

        captured.FinishReason.ShouldBe(finishReason);
        captured.Completed.ShouldBeTrue();
    }

    [Theory]
    [InlineData("""{"object":"response","status":"failed","error":{"code":"server_error","message":"boom"},"output":[]}""")]
    [InlineData("""{"object":"response","status":"completed","error":{"code":"server_error","message":"boom"},"output":[]}""")]
    [InlineData("""{"error":{"message":"overloaded","type":"server_error"}}""")]
    public void A_failed_response_or_an_error_object_is_an_error(string body) => Json(body).HasError.ShouldBeTrue();

    [Fact]
    public void A_queued_background_response_is_not_an_answer_yet()
    {
        var captured = Json("""{"id":"resp_1","object":"response","status":"queued","background":true,"output":[]}""");

        captured.Completed.ShouldBeFalse();
        captured.Text.ShouldBe("");
    }

    [Fact]
    public void A_chat_completion_is_not_the_responses_format()
    {
        Json("""{"choices":[{"message":{"content":"hi"},"finish_reason":"stop"}]}""").Malformed.ShouldBeTrue();

        // And the other way round: the completion routes read a response object as before, as not their format.
        ResponseTextExtractor.Extract(Encoding.UTF8.GetBytes($$"""{"object":"response","status":"completed","output":[{{Message}}]}"""), isEventStream: false, truncated: false)
            .Malformed.ShouldBeTrue();
    }

    [Fact]
    public void A_body_cut_by_the_capture_limit_keeps_the_start_of_its_text()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"id":"resp_1","object":"response","status":"completed","output":[{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"thinking"}]},{"type":"message","content":[{"type":"output_text","annotations":[],"text":"I can't help with that, and here is why"}]}]}""");
        var cut = Array.IndexOf(body, (byte)'w', Array.IndexOf(body, (byte)'I'));

        var captured = ResponseTextExtractor.Extract(body.AsSpan(0, cut), isEventStream: false, truncated: true, LlmEndpoint.Responses);

        captured.Text.ShouldBe("I can't help ");
        captured.Truncated.ShouldBeTrue();
    }

    [Fact]
    public void Joins_streamed_text_deltas_and_reads_the_terminal_event()
    {
        var captured = Sse(Stream(["I can", "'t help ", "with that."], Completed()));

        captured.Text.ShouldBe("I can't help with that.");
        captured.FinishReason.ShouldBe("stop");
        captured.Completed.ShouldBeTrue();
        captured.Malformed.ShouldBeFalse();
        captured.HasError.ShouldBeFalse();
        captured.PromptTokens.ShouldBe(12);
        captured.CompletionTokens.ShouldBe(7);
    }

    [Fact]
    public void Refusal_deltas_are_text()
    {
        var captured = Sse(Stream(["I can't ", "help."], Completed(), "response.refusal.delta"));

        captured.Text.ShouldBe("I can't help.");
        captured.Completed.ShouldBeTrue();
    }

    [Fact]
    public void A_cut_stream_keeps_its_text_and_is_not_completed()
    {
        var captured = Sse(Stream(["Once ", "upon"], terminal: null));

        captured.Text.ShouldBe("Once upon");
        captured.Completed.ShouldBeFalse();
        captured.FinishReason.ShouldBeNull();
    }

    [Fact]
    public void An_incomplete_stream_gives_its_reason()
    {
        var captured = Sse(Stream(["Some"], Completed("incomplete", ",\"incomplete_details\":{\"reason\":\"content_filter\"}")));

        captured.FinishReason.ShouldBe("content_filter");
        captured.Completed.ShouldBeTrue();
    }

    [Fact]
    public void A_function_call_item_added_mid_stream_is_a_tool_call()
    {
        var captured = Sse(
            Event("response.created", "\"response\":{\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}") +
            Event("response.output_item.added", "\"output_index\":0,\"item\":{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"c1\",\"name\":\"lookup\",\"arguments\":\"\"}") +
            Event("response.function_call_arguments.delta", "\"item_id\":\"fc_1\",\"output_index\":0,\"delta\":\"{}\"") +
            Event("response.completed", "\"response\":{\"object\":\"response\",\"status\":\"completed\",\"output\":[{\"type\":\"function_call\",\"id\":\"fc_1\"}]}"));

        captured.HasToolCalls.ShouldBeTrue();
        captured.Text.ShouldBe("");
        captured.Completed.ShouldBeTrue();
    }

    [Theory]
    [InlineData("event: error\ndata: {\"type\":\"error\",\"sequence_number\":5,\"code\":\"server_error\",\"message\":\"boom\",\"param\":null}\n\n")]
    [InlineData("data: {\"type\":\"error\",\"sequence_number\":5,\"code\":\"server_error\",\"message\":\"boom\",\"param\":null}\n\n")]
    [InlineData("event: response.failed\ndata: {\"type\":\"response.failed\",\"sequence_number\":5,\"response\":{\"object\":\"response\",\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":\"boom\"},\"output\":[]}}\n\n")]
    public void An_error_event_or_a_failed_response_ends_the_stream_as_an_error(string end)
    {
        var captured = Sse(Stream(["Sure, "], terminal: null) + end);

        captured.HasError.ShouldBeTrue();
        captured.Completed.ShouldBeTrue();
        captured.Text.ShouldBe("Sure, ");
    }

    [Fact]
    public void The_final_response_does_not_repeat_the_streamed_text()
    {
        // response.completed, output_item.done and output_text.done all repeat the whole text.
        Sse(Stream(["Hello."], Completed())).Text.ShouldBe("Hello.");
    }

    [Fact]
    public void A_chat_stream_is_not_read_as_the_responses_format_nor_the_other_way_round()
    {
        Sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n").Malformed.ShouldBeTrue();

        var asChat = ResponseTextExtractor.Extract(Encoding.UTF8.GetBytes(Stream(["Hello."], Completed())), isEventStream: true, truncated: false);
        asChat.Text.ShouldBe("");
        asChat.Completed.ShouldBeFalse();
    }
}
