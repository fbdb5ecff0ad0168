using System.Text;
using System.Text.Json;
using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// What has been read of one response so far: the first choice's text (up to a bound), its finish reason, tool calls,
/// usage, and whether any of it was an error or not the provider's format. Fed one JSON document at a time (a whole
/// body, or one SSE event). The endpoint the request went to says which format to expect: a Responses API answer is
/// read by its own rules (<c>ExtractionState.Responses.cs</c>), so the completions' reading stays as it was.
/// </summary>
internal sealed partial class ExtractionState(int maxTextChars = int.MaxValue, LlmEndpoint endpoint = LlmEndpoint.ChatCompletions)
{
    private readonly StringBuilder _text = new();
    private readonly bool _responsesApi = endpoint == LlmEndpoint.Responses;

    /// <summary>More text arrived than <c>maxTextChars</c>: the text holds its start.</summary>
    public bool TextTruncated { get; private set; }

    public string? FinishReason { get; private set; }

    public bool HasToolCalls { get; private set; }

    public bool Malformed { get; private set; }

    public bool HasError { get; private set; }

    public int? PromptTokens { get; private set; }

    public int? CompletionTokens { get; private set; }

    /// <summary>How many more characters of text are kept.</summary>
    public int TextRoom => Math.Max(maxTextChars - _text.Length, 0);

    public void MarkMalformed() => Malformed = true;

    /// <summary>Text was cut before it reached this state (<see cref="JsonProjection"/> keeps only what is left of the bound).</summary>
    public void MarkTextTruncated() => TextTruncated = true;

    /// <summary>An error event (<c>event: error</c>): on the Responses API it also ends the stream, as its terminal events do.</summary>
    public void MarkError()
    {
        HasError = true;
        Ended |= _responsesApi;
    }

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

    public void ReadCutDocument(ReadOnlySpan<byte> json) => AppendText(CutJsonTextReader.ReadFirstChoiceText(json, _responsesApi, maxChars: TextRoom == int.MaxValue ? int.MaxValue : TextRoom + 1));

    public CapturedResponse ToResult(bool completed, bool truncated) =>
        new(_text.ToString(), FinishReason, HasToolCalls, completed, truncated || TextTruncated, Malformed, PromptTokens, CompletionTokens, HasError);

    private void Read(JsonElement root, bool streamed)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Malformed = true;
            return;
        }

        if (_responsesApi)
        {
            ReadResponsesDocument(root, streamed);
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
            AppendString(text);
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
                AppendString(refusal);
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
            AppendString(content);
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
                AppendString(partText);
            }
        }
    }

    private static int? ReadInt(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;

    /// <summary>Past the bound a long stream's deltas are only looked at, not turned into strings.</summary>
    private void AppendString(JsonElement value)
    {
        if (_text.Length >= maxTextChars)
        {
            TextTruncated |= !value.ValueEquals("");
            return;
        }

        AppendText(value.GetString());
    }

    /// <summary>Appends up to the bound; a cut never splits a surrogate pair.</summary>
    private void AppendText(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var room = maxTextChars - _text.Length;
        if (text.Length <= room)
        {
            _text.Append(text);
            return;
        }

        TextTruncated = true;
        if (room > 0)
        {
            _text.Append(text.AsSpan(0, char.IsHighSurrogate(text[room - 1]) ? room - 1 : room));
        }
    }
}
