using System.Text;
using System.Text.Json;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Reads the assistant's text out of a captured OpenAI response: a whole JSON body, or an SSE stream of chunks
/// (<c>data: {...}</c> events joined in order, <c>[DONE]</c> marking a completed stream). Invalid UTF-8 is replaced, not
/// rejected; unreadable events are skipped and flagged, so a broken stream still yields whatever text it carried.
/// </summary>
public static class ResponseTextExtractor
{
    public static CapturedResponse Extract(ReadOnlySpan<byte> body, bool isEventStream, bool truncated) =>
        isEventStream ? FromEventStream(body, truncated) : FromJson(body, truncated);

    private static CapturedResponse FromJson(ReadOnlySpan<byte> body, bool truncated)
    {
        var state = new ExtractionState();
        if (truncated)
        {
            // Cut by the capture limit: no parser reads the whole document, but its start holds what the detector reads.
            state.ReadCutDocument(body);
        }
        else
        {
            state.ReadDocument(body, streamed: false);
        }

        return state.ToResult(completed: state.FinishReason is not null, truncated);
    }

    private static CapturedResponse FromEventStream(ReadOnlySpan<byte> body, bool truncated)
    {
        var state = new ExtractionState();
        var done = false;
        foreach (var rawLine in body.Split((byte)'\n'))
        {
            var line = body[rawLine].TrimEnd((byte)'\r');
            if (!line.StartsWith("data:"u8))
            {
                continue;
            }

            var data = line["data:"u8.Length..].TrimStart((byte)' ');
            if (data.SequenceEqual("[DONE]"u8))
            {
                done = true;
                continue;
            }

            state.ReadDocument(data, streamed: true);
        }

        return state.ToResult(completed: done || state.FinishReason is not null, truncated);
    }

    private sealed class ExtractionState
    {
        private readonly StringBuilder _text = new();

        public string? FinishReason { get; private set; }

        public bool HasToolCalls { get; private set; }

        public bool Malformed { get; private set; }

        public int? PromptTokens { get; private set; }

        public int? CompletionTokens { get; private set; }

        /// <summary>Reads one JSON document (a whole body or one SSE event); unreadable ones only set <see cref="Malformed"/>.</summary>
        public void ReadDocument(ReadOnlySpan<byte> json, bool streamed)
        {
            try
            {
                var reader = new Utf8JsonReader(json);
                using var document = JsonDocument.ParseValue(ref reader);
                Read(document.RootElement, streamed);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                // Broken JSON, or a string that is not valid UTF-8 (System.Text.Json refuses to transcode it).
                Malformed = true;
            }
        }

        public void ReadCutDocument(ReadOnlySpan<byte> json) => _text.Append(CutJsonTextReader.ReadFirstChoiceText(json));

        private void Read(JsonElement root, bool streamed)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                Malformed = true;
                return;
            }

            if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    // Only the first choice (n = 1 is the norm); others would mix answers.
                    if (choice.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number && index.GetInt32() != 0)
                    {
                        continue;
                    }

                    ReadChoice(choice, streamed);
                }
            }

            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                PromptTokens = ReadInt(usage, "prompt_tokens") ?? PromptTokens;
                CompletionTokens = ReadInt(usage, "completion_tokens") ?? CompletionTokens;
            }
        }

        public CapturedResponse ToResult(bool completed, bool truncated) =>
            new(_text.ToString(), FinishReason, HasToolCalls, completed, truncated, Malformed, PromptTokens, CompletionTokens);

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
                if (message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                {
                    _text.Append(content.GetString());
                }

                // The provider's own refusal field (structured outputs) is a refusal in plain words.
                if (message.TryGetProperty("refusal", out var refusal) && refusal.ValueKind == JsonValueKind.String)
                {
                    _text.Append(refusal.GetString());
                }

                if (message.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array && toolCalls.GetArrayLength() > 0)
                {
                    HasToolCalls = true;
                }
            }
        }

        private static int? ReadInt(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;
    }
}
