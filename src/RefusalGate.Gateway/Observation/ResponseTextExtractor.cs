using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Reads the assistant's text out of a captured OpenAI response: a whole JSON body, or an SSE stream of chunks
/// (<c>data:</c> events joined in order, <c>[DONE]</c> marking a completed stream). Invalid UTF-8 is replaced, not
/// rejected; unreadable events are skipped and flagged, so a broken stream still yields whatever text it carried. An
/// error object (a 200 whose body, or one of whose events, is <c>{"error": ...}</c>) is flagged as such: it is not an
/// answer to judge.
/// </summary>
public static class ResponseTextExtractor
{
    public static CapturedResponse Extract(ReadOnlySpan<byte> body, bool isEventStream, bool truncated)
    {
        // One invalid byte must not hide the rest of the answer: U+FFFD in its place, as the detector's CLI reads text.
        var readable = Utf8.IsValid(body) ? body : new ReadOnlySpan<byte>(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body)));
        return isEventStream ? FromEventStream(readable, truncated) : FromJson(readable, truncated);
    }

    private static CapturedResponse FromJson(ReadOnlySpan<byte> body, bool truncated)
    {
        var state = new ExtractionState();
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
        // "aborted"), so a truncated copy does not count as cut.
        return state.ToResult(completed: truncated || !state.Malformed, truncated);
    }

    private static CapturedResponse FromEventStream(ReadOnlySpan<byte> body, bool truncated)
    {
        var state = new ExtractionState();
        var events = new ServerSentEvents(state);
        var start = 0;
        while (start < body.Length)
        {
            // A line ends at "\r\n", "\n" or "\r" (the SSE grammar allows all three).
            var length = body[start..].IndexOfAny((byte)'\r', (byte)'\n');
            var end = length < 0 ? body.Length : start + length;
            events.Line(body, start..end);
            start = end < body.Length && body[end] == (byte)'\r' && end + 1 < body.Length && body[end + 1] == (byte)'\n' ? end + 2 : end + 1;
        }

        events.Dispatch(body); // a last event without its blank line
        if (!events.SawData && !body.Trim(" \t\r\n"u8).IsEmpty)
        {
            state.MarkMalformed(); // bytes, but no "data:" line at all (e.g. a compressed stream)
        }

        return state.ToResult(completed: truncated || events.Done || state.FinishReason is not null, truncated);
    }

    /// <summary>
    /// Assembles SSE events: <c>data:</c> lines joined until a blank line; <c>event: error</c> flags an error. Data lines
    /// are kept as ranges of the body, so a one-line event (the norm) is read where it lies.
    /// </summary>
    private sealed class ServerSentEvents(ExtractionState state)
    {
        private readonly List<Range> _data = [];
        private bool _errorEvent;

        public bool Done { get; private set; }

        public bool SawData { get; private set; }

        public void Line(ReadOnlySpan<byte> body, Range range)
        {
            var line = body[range];
            if (line.IsEmpty)
            {
                Dispatch(body);
            }
            else if (line.StartsWith("data:"u8))
            {
                var (offset, _) = range.GetOffsetAndLength(body.Length);
                var valueStart = offset + "data:"u8.Length + (line["data:"u8.Length..].StartsWith(" "u8) ? 1 : 0);
                _data.Add(valueStart..range.End);
                SawData = true;
            }
            else if (line.StartsWith("event:"u8))
            {
                _errorEvent = line["event:"u8.Length..].Trim((byte)' ').SequenceEqual("error"u8);
            }
        }

        public void Dispatch(ReadOnlySpan<byte> body)
        {
            if (_data.Count > 0)
            {
                Handle(body);
            }

            _data.Clear();
            _errorEvent = false;
        }

        private void Handle(ReadOnlySpan<byte> body)
        {
            if (_errorEvent)
            {
                state.MarkError();
                return;
            }

            if (_data.Count == 1 && body[_data[0]].SequenceEqual("[DONE]"u8))
            {
                Done = true;
                return;
            }

            // Multi-line data is one document; a server that leaves out the blank lines between events sends one
            // document per line instead, so those are read one by one when the whole does not parse.
            if (state.TryReadDocument(_data.Count == 1 ? body[_data[0]] : Joined(body), streamed: true))
            {
                return;
            }

            if (_data.Count == 1)
            {
                state.MarkMalformed();
                return;
            }

            foreach (var range in _data)
            {
                var line = body[range];
                if (line.SequenceEqual("[DONE]"u8))
                {
                    Done = true;
                }
                else if (!state.TryReadDocument(line, streamed: true))
                {
                    state.MarkMalformed();
                }
            }
        }

        /// <summary>The event's data lines joined by "\n", as the SSE grammar joins them.</summary>
        private byte[] Joined(ReadOnlySpan<byte> body)
        {
            var joined = new List<byte>();
            foreach (var range in _data)
            {
                if (joined.Count > 0)
                {
                    joined.Add((byte)'\n');
                }

                joined.AddRange(body[range]);
            }

            return [.. joined];
        }
    }

    private sealed class ExtractionState
    {
        private readonly StringBuilder _text = new();

        public string? FinishReason { get; private set; }

        public bool HasToolCalls { get; private set; }

        public bool Malformed { get; private set; }

        public bool HasError { get; private set; }

        public int? PromptTokens { get; private set; }

        public int? CompletionTokens { get; private set; }

        public void MarkMalformed() => Malformed = true;

        public void MarkError() => HasError = true;

        /// <summary>Reads one JSON document (a whole body or one SSE event); false when it is not one.</summary>
        public bool TryReadDocument(ReadOnlySpan<byte> json, bool streamed)
        {
            try
            {
                var reader = new Utf8JsonReader(json);
                using var document = JsonDocument.ParseValue(ref reader);
                if (reader.Read())
                {
                    return false; // more than one document
                }

                Read(document.RootElement, streamed);
                return true;
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                // Not JSON, or a lone surrogate escape ("\ud800") that System.Text.Json cannot turn into a string.
                return false;
            }
        }

        public void ReadCutDocument(ReadOnlySpan<byte> json) => _text.Append(CutJsonTextReader.ReadFirstChoiceText(json));

        public CapturedResponse ToResult(bool completed, bool truncated) =>
            new(_text.ToString(), FinishReason, HasToolCalls, completed, truncated, Malformed, PromptTokens, CompletionTokens, HasError);

        private void Read(JsonElement root, bool streamed)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                Malformed = true;
                return;
            }

            var hasChoices = root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array;
            if (!hasChoices && root.TryGetProperty("error", out var error) && error.ValueKind is JsonValueKind.Object or JsonValueKind.String)
            {
                HasError = true;
                return;
            }

            var hasUsage = root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object;
            if (!hasChoices && !hasUsage)
            {
                Malformed = true; // JSON, but not the provider's format
                return;
            }

            if (hasChoices)
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    // Only the first choice (n = 1 is the norm); others would mix answers. "index": 0.0 is the first too.
                    var first = !choice.TryGetProperty("index", out var index) || index.ValueKind != JsonValueKind.Number
                        || (index.TryGetDouble(out var position) && position == 0);
                    if (choice.ValueKind != JsonValueKind.Object || !first)
                    {
                        continue;
                    }

                    ReadChoice(choice, streamed);
                }
            }

            if (hasUsage)
            {
                PromptTokens = ReadInt(usage, "prompt_tokens") ?? PromptTokens;
                CompletionTokens = ReadInt(usage, "completion_tokens") ?? CompletionTokens;
            }
        }

        private void ReadChoice(JsonElement choice, bool streamed)
        {
            if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
            {
                FinishReason = finish.GetString();
            }

            // Text completions carry "text"; chat completions a "message" (whole) or a "delta" (streamed).
            if (choice.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                _text.Append(text.GetString());
            }

            if (choice.TryGetProperty(streamed ? "delta" : "message", out var message) && message.ValueKind == JsonValueKind.Object)
            {
                if (message.TryGetProperty("content", out var content))
                {
                    AppendContent(content);
                }

                // The provider's own refusal field (structured outputs) is a refusal in plain words.
                if (message.TryGetProperty("refusal", out var refusal) && refusal.ValueKind == JsonValueKind.String)
                {
                    _text.Append(refusal.GetString());
                }

                // Tools, or the legacy single function call.
                if ((message.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array && toolCalls.GetArrayLength() > 0)
                    || (message.TryGetProperty("function_call", out var functionCall) && functionCall.ValueKind == JsonValueKind.Object))
                {
                    HasToolCalls = true;
                }
            }
        }

        /// <summary>A string, or an array of content parts whose text parts are read in order.</summary>
        private void AppendContent(JsonElement content)
        {
            if (content.ValueKind == JsonValueKind.String)
            {
                _text.Append(content.GetString());
                return;
            }

            if (content.ValueKind != JsonValueKind.Array)
            {
                return;
            }

            foreach (var part in content.EnumerateArray())
            {
                if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var partText) && partText.ValueKind == JsonValueKind.String)
                {
                    _text.Append(partText.GetString());
                }
            }
        }

        private static int? ReadInt(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;
    }
}
