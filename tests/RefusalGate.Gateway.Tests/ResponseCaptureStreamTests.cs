using System.Text;
using RefusalGate.Gateway.Observation;

namespace RefusalGate.Gateway.Tests;

public sealed class ResponseCaptureStreamTests
{
    [Fact]
    public async Task Passes_everything_through_and_keeps_a_bounded_copy_of_a_body()
    {
        using var client = new MemoryStream();
        using var capture = new ResponseCaptureStream(client, limit: 1000, isEventStream: () => false);
        var chunk = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();

        for (var i = 0; i < 5; i++)
        {
            await capture.WriteAsync(chunk);
        }

        capture.Write(chunk, 0, 10);

        client.Length.ShouldBe(5 * 300 + 10);
        capture.Truncated.ShouldBeTrue();
        capture.Captured.ToArray().ShouldBe(client.ToArray()[..1000]);
        capture.Detach().Truncated.ShouldBeTrue();
        capture.Captured.Length.ShouldBe(0);
    }

    [Fact]
    public void Short_bodies_are_copied_whole()
    {
        using var client = new MemoryStream();
        using var capture = new ResponseCaptureStream(client, limit: 1000, isEventStream: () => false);

        capture.Write("""{"choices":[{"message":{"content":"hello"},"finish_reason":"stop"}]}"""u8);

        var copy = capture.Detach();
        copy.Truncated.ShouldBeFalse();
        copy.Read().Text.ShouldBe("hello");
    }

    [Fact]
    public async Task A_stream_longer_than_the_byte_limit_is_read_to_its_end()
    {
        // 2,000 chunks of about 60 bytes: nearly twice the byte limit a body copy would keep. The stream keeps its text (up to
        // its own bound) and still sees the finish reason and usage at the end, which a copy of its start would lose.
        using var client = new MemoryStream();
        using var capture = new ResponseCaptureStream(client, limit: 64 * 1024, isEventStream: () => true);
        for (var i = 0; i < 2000; i++)
        {
            await capture.WriteAsync(Encoding.UTF8.GetBytes($"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"word{i % 10} \"}}}}]}}\n\n"));
        }

        await capture.WriteAsync("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2001}}\n\ndata: [DONE]\n\n"u8.ToArray());

        client.Length.ShouldBeGreaterThan(96 * 1024);
        var captured = capture.Detach().Read();
        captured.Text.Length.ShouldBe(2000 * "word0 ".Length);
        captured.FinishReason.ShouldBe("content_filter");
        captured.CompletionTokens.ShouldBe(2001);
        captured.Completed.ShouldBeTrue();
        captured.Truncated.ShouldBeFalse();
    }

    [Fact]
    public void A_stream_keeps_only_the_start_of_very_long_text()
    {
        using var client = new MemoryStream();
        using var capture = new ResponseCaptureStream(client, limit: 64 * 1024, isEventStream: () => true);
        var delta = new string('a', 1000);
        for (var i = 0; i < 40; i++)
        {
            capture.Write(Encoding.UTF8.GetBytes($"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{delta}\"}}}}]}}\n\n"));
        }

        capture.Write("data: [DONE]\n\n"u8);

        var copy = capture.Detach();
        copy.Truncated.ShouldBeTrue();
        var captured = copy.Read();
        captured.Text.Length.ShouldBe(ResponseCaptureStream.StreamTextChars);
        captured.Completed.ShouldBeTrue();
    }

    [Fact]
    public void A_stream_event_longer_than_the_limit_is_read_as_it_passes()
    {
        using var client = new MemoryStream();
        using var capture = new ResponseCaptureStream(client, limit: 100, isEventStream: () => true);

        capture.Write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Sure\"}}]}\n\n"u8);
        capture.Write(Encoding.UTF8.GetBytes($"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{new string('x', 60)}"));
        capture.Write(Encoding.UTF8.GetBytes($"{new string('y', 60)}\"}}}}]}}\n\n"));
        capture.Write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\", done.\"}}]}\n\ndata: [DONE]\n\n"u8);

        var captured = capture.Detach().Read();
        captured.Text.ShouldBe("Sure" + new string('x', 60) + new string('y', 60) + ", done.");
        captured.Truncated.ShouldBeFalse(); // no text was lost
        captured.Malformed.ShouldBeFalse();
        captured.Completed.ShouldBeTrue();
    }

    [Fact]
    public void A_comment_line_longer_than_the_limit_is_passed_over()
    {
        using var client = new MemoryStream();
        using var capture = new ResponseCaptureStream(client, limit: 100, isEventStream: () => true);

        capture.Write(Encoding.UTF8.GetBytes($": {new string('k', 150)}"));
        capture.Write(Encoding.UTF8.GetBytes($"{new string('k', 150)}\n\ndata: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"Hi\"}},\"finish_reason\":\"stop\"}}]}}\n\ndata: [DONE]\n\n"));

        var captured = capture.Detach().Read();
        captured.Text.ShouldBe("Hi");
        captured.Truncated.ShouldBeFalse();
        captured.Malformed.ShouldBeFalse();
        captured.Completed.ShouldBeTrue();
    }

    [Fact]
    public void Nothing_written_is_an_empty_copy()
    {
        using var client = new MemoryStream();
        using var capture = new ResponseCaptureStream(client, limit: 100, isEventStream: () => true);

        var captured = capture.Detach().Read();

        captured.Text.ShouldBeEmpty();
        captured.Completed.ShouldBeFalse();
        captured.Malformed.ShouldBeFalse();
    }
}
