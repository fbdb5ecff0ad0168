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

        // One invalid byte must not hide the rest of the answer: U+FFFD in its place, as the detector's CLI reads text.
        var readable = Utf8.IsValid(body) ? body : new ReadOnlySpan<byte>(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body)));
        return FromJson(readable, truncated, endpoint);
    }

    private static CapturedResponse FromJson(ReadOnlySpan<byte> body, bool truncated, LlmEndpoint endpoint)
    {
        var state = new ExtractionState(endpoint: endpoint);
        if (truncated)
        {
            // Cut by the capture limit: no parser reads the whole document, but its start holds what the detector reads.
            state.ReadCutDocument(body);
        }
        else if (!state.TryReadDocument(body, streamed: false))
        {
            state.MarkMalformed();
        }

        // A whole body that parsed arrived whole; beyond the capture limit only the transfer can tell (the judge's
        // "aborted"), so a truncated copy does not count as cut. A Responses API answer still queued or in progress
        // (background mode) has not been given yet.
        return state.ToResult(completed: truncated || (!state.Malformed && !state.Unfinished), truncated);
    }
}
