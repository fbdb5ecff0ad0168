using System.Text;
using System.Text.Unicode;
using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Reads the assistant's text out of an OpenAI response: a whole JSON body (or its start, cut by the capture limit), or
/// an SSE stream of chunks (<see cref="EventStreamReader"/>, which the gateway feeds as the stream passes). Invalid UTF-8
/// is replaced, not rejected; an error object (a 200 whose body, or one of whose events, is <c>{"error": ...}</c>) is
/// flagged as such: it is not an answer to judge. <paramref name="endpoint"/> is the route the request went to: a
/// Responses API answer has its own format.
/// </summary>
public static class ResponseTextExtractor
{
    public static CapturedResponse Extract(ReadOnlySpan<byte> body, bool isEventStream, bool truncated, LlmEndpoint endpoint = LlmEndpoint.ChatCompletions)
    {
        if (isEventStream)
        {
            using var reader = new EventStreamReader(int.MaxValue, int.MaxValue, endpoint);
            reader.Append(body);
            return reader.Finish(cut: truncated);
        }

        return Extract(body, truncated, endpoint, tail: null);
    }

    /// <summary>A JSON body, or the copy of its start (<paramref name="truncated"/>) and what was read of all of it as it passed.</summary>
    internal static CapturedResponse Extract(ReadOnlySpan<byte> body, bool truncated, LlmEndpoint endpoint, BodyTail? tail)
    {
        // One invalid byte must not hide the rest of the answer: U+FFFD in its place, as the detector's CLI reads text.
        var readable = Utf8.IsValid(body) ? body : new ReadOnlySpan<byte>(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body)));
        return FromJson(readable, truncated, endpoint, tail);
    }

    private static CapturedResponse FromJson(ReadOnlySpan<byte> body, bool truncated, LlmEndpoint endpoint, BodyTail? tail)
    {
        // A body keeps as much text as a stream does: the detector reads its start, and more would only be garbage.
        var state = new ExtractionState(ResponseCaptureStream.StreamTextChars, endpoint);
        if (truncated)
        {
            // Cut by the capture limit: no parser reads the whole document, but its start holds what the detector reads,
            // and the members read as the rest passed (finish reason, status, usage) are read as a whole body's.
            state.ReadCutDocument(body);
            if (tail is not null && (tail.KeptMembers is null || !state.TryReadDocument(tail.KeptMembers, streamed: false)))
            {
                state.MarkMalformed();
            }
        }
        else if (!state.TryReadDocument(body, streamed: false))
        {
            state.MarkMalformed();
        }

        // A whole body that parsed arrived whole, and so did a longer one read to its end as it passed; a copy cut
        // without that reading can only be told by the transfer (the judge's "aborted"), so it does not count as cut.
        // A Responses API answer still queued or in progress (background mode) has not been given yet.
        return state.ToResult(completed: (truncated && tail is null) || (!state.Malformed && !state.Unfinished), truncated);
    }
}
