using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// What the gateway kept of a response for the judge: nothing, the start of a JSON body (read in the background), or a
/// stream already read as it passed (<see cref="EventStreamReader"/>).
/// </summary>
internal abstract class ResponseCopy
{
    /// <summary>Nothing kept: the response is recorded without being judged.</summary>
    public static ResponseCopy None { get; } = new Body([], truncated: false);

    /// <summary>The response was longer than what was kept; the copy holds its start.</summary>
    public abstract bool Truncated { get; }

    public abstract CapturedResponse Read();

    /// <summary>
    /// The first bytes of a JSON body, read when judged so the request path does no parsing; with <paramref name="tail"/>,
    /// what was read of a longer body's members as it passed (its finish reason, status and usage come after its text).
    /// </summary>
    public sealed class Body(byte[] bytes, bool truncated, LlmEndpoint endpoint = LlmEndpoint.ChatCompletions, BodyTail? tail = null) : ResponseCopy
    {
        public override bool Truncated => truncated;

        public override CapturedResponse Read() => ResponseTextExtractor.Extract(bytes, truncated, endpoint, tail);
    }

    /// <summary>A stream read to its end (or to where it broke off) while it passed.</summary>
    public sealed class ReadStream(CapturedResponse captured) : ResponseCopy
    {
        public override bool Truncated => captured.Truncated;

        public override CapturedResponse Read() => captured;
    }
}
