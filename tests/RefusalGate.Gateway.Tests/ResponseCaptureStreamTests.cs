using RefusalGate.Gateway.Observation;

namespace RefusalGate.Gateway.Tests;

public sealed class ResponseCaptureStreamTests
{
    [Fact]
    public async Task Passes_everything_through_and_keeps_a_bounded_copy()
    {
        using var client = new MemoryStream();
        using var capture = new ResponseCaptureStream(client, limit: 1000);
        var chunk = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();

        for (var i = 0; i < 5; i++)
        {
            await capture.WriteAsync(chunk);
        }

        capture.Write(chunk, 0, 10);

        client.Length.ShouldBe(5 * 300 + 10);
        capture.Truncated.ShouldBeTrue();
        var copy = capture.DetachCopy();
        copy.Length.ShouldBe(1000);
        copy.ShouldBe(client.ToArray()[..1000]);
    }

    [Fact]
    public void Short_responses_are_copied_whole()
    {
        using var client = new MemoryStream();
        using var capture = new ResponseCaptureStream(client, limit: 1000);

        capture.Write("hello"u8);

        capture.Truncated.ShouldBeFalse();
        capture.DetachCopy().ShouldBe("hello"u8.ToArray());
    }
}
