using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Which parts of a response document <see cref="ExtractionState"/> reads, as a tree of member names: what
/// <see cref="JsonProjection"/> keeps of a document too long to hold (an SSE line or a JSON body past
/// <c>Observation:MaxCapturedBytes</c>), so the state reads the small copy exactly as it would read the whole. A kept
/// scalar is kept as it is (a string cut to <see cref="JsonProjection.ShortStringChars"/> characters, or for text to
/// what is left of the text bound); a container whose members are not listed is kept empty, of its kind (an array
/// with one element if it had any), because the state asks only whether it is there (<c>error</c>, <c>tool_calls</c>).
/// Everything else is dropped. The trees must list every member the state reads: a test reads every sample both ways.
/// </summary>
internal sealed class JsonShape
{
    /// <summary>A scalar kept as it is, or a container kept empty.</summary>
    private static readonly JsonShape Kept = new([]);

    private static readonly JsonShape Text = new([]) { IsText = true };

    private static readonly JsonShape ChatStreamed = Chat(streamed: true);
    private static readonly JsonShape ChatBody = Chat(streamed: false);
    private static readonly JsonShape ResponsesStreamed = Responses(streamed: true);
    private static readonly JsonShape ResponsesBody = Responses(streamed: false);

    private JsonShape((byte[] Name, JsonShape Shape)[] members) => Members = members;

    /// <summary>The members kept of an object here (none: an object here is kept empty).</summary>
    public (byte[] Name, JsonShape Shape)[] Members { get; }

    /// <summary>The shape of every element of an array here (null: an array here is kept empty, or with one element).</summary>
    public JsonShape? Elements { get; private init; }

    /// <summary>A string here is the answer's text: kept up to the text bound, not to the short bound.</summary>
    public bool IsText { get; private init; }

    /// <summary>
    /// The shape of a response of <paramref name="endpoint"/>: an SSE event (<paramref name="streamed"/>, its text
    /// kept too), or a whole body, whose text is read from the copy of its start (<see cref="CutJsonTextReader"/>).
    /// </summary>
    public static JsonShape For(LlmEndpoint endpoint, bool streamed) => endpoint == LlmEndpoint.Responses
        ? streamed ? ResponsesStreamed : ResponsesBody
        : streamed ? ChatStreamed : ChatBody;

    /// <summary>Chat and text completions (<see cref="ExtractionState"/>'s <c>Read</c> and <c>ReadChoice</c>).</summary>
    private static JsonShape Chat(bool streamed)
    {
        var message = streamed
            ? Object(("content", new JsonShape([]) { IsText = true, Elements = Object(("text", Text)) }), ("refusal", Text), ("tool_calls", Kept), ("function_call", Kept))
            : Object(("tool_calls", Kept), ("function_call", Kept));
        var choice = streamed
            ? Object(("index", Kept), ("finish_reason", Kept), ("text", Text), ("delta", message))
            : Object(("index", Kept), ("finish_reason", Kept), ("message", message));
        return Object(
            ("choices", Array(choice)),
            ("usage", Object(("prompt_tokens", Kept), ("completion_tokens", Kept))),
            ("error", Kept));
    }

    /// <summary>
    /// The Responses API (<c>ExtractionState.Responses.cs</c>): an event's type, delta, added item and response, or a
    /// whole response object, whose members sit at the root. A streamed <c>response</c>'s output is read for its items'
    /// types only (its text came in the deltas); a body's text is read from its copy.
    /// </summary>
    private static JsonShape Responses(bool streamed)
    {
        (string, JsonShape)[] response =
        [
            ("status", Kept),
            ("error", Kept),
            ("incomplete_details", Object(("reason", Kept))),
            ("usage", Object(("input_tokens", Kept), ("output_tokens", Kept))),
            ("output", Array(Object(("type", Kept)))),
        ];
        (string, JsonShape)[] root = [("type", Kept), ("object", Kept), ("item", Object(("type", Kept))), ("response", Object(response)), .. response];
        return Object(streamed ? [.. root, ("delta", Text)] : root);
    }

    private static JsonShape Object(params (string Name, JsonShape Shape)[] members) =>
        new([.. members.Select(m => (System.Text.Encoding.UTF8.GetBytes(m.Name), m.Shape))]);

    private static JsonShape Array(JsonShape elements) => new([]) { Elements = elements };
}
