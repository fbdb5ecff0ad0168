using System.Text.Json;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// The Responses API's reading: a whole <c>response</c> object, or one of its stream's typed events. Text is every
/// output message's <c>output_text</c> and <c>refusal</c> parts in order (streamed: the <c>output_text</c> and
/// <c>refusal</c> deltas, which arrive in the same order), a <c>function_call</c> item is a tool call, and the response's
/// status gives the finish reason: <c>incomplete</c> for <c>content_filter</c> or <c>max_output_tokens</c> (as
/// <c>length</c>), <c>failed</c> (or a non-null <c>error</c>) is an error.
/// </summary>
internal sealed partial class ExtractionState
{
    /// <summary>A Responses API stream's terminal event (completed, incomplete, failed) or error event was read.</summary>
    public bool Ended { get; private set; }

    /// <summary>
    /// A whole response that is not finished (<c>queued</c> or <c>in_progress</c>: <c>background: true</c>): its
    /// answer comes later, from a route the gate does not judge.
    /// </summary>
    public bool Unfinished { get; private set; }

    private void ReadResponsesDocument(JsonElement root, bool streamed)
    {
        if (root.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String)
        {
            ReadResponsesEvent(root, typeElement);
            return;
        }

        if (root.TryGetProperty("object", out var kind) && kind.ValueEquals("response"u8))
        {
            ReadResponse(root, readOutput: !streamed);
            if (!streamed && Status(root) is "queued" or "in_progress")
            {
                Unfinished = true;
            }

            return;
        }

        if (root.TryGetProperty("error", out var error) && error.ValueKind is JsonValueKind.Object or JsonValueKind.String)
        {
            HasError = true;
            return;
        }

        Malformed = true; // JSON, but not the provider's format
    }

    private void ReadResponsesEvent(JsonElement root, JsonElement type)
    {
        if (type.ValueEquals("response.output_text.delta"u8) || type.ValueEquals("response.refusal.delta"u8))
        {
            if (root.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.String)
            {
                AppendString(delta);
            }
        }
        else if (type.ValueEquals("response.output_item.added"u8))
        {
            if (root.TryGetProperty("item", out var item) && IsFunctionCall(item))
            {
                HasToolCalls = true;
            }
        }
        else if (type.ValueEquals("response.completed"u8) || type.ValueEquals("response.incomplete"u8) || type.ValueEquals("response.failed"u8))
        {
            // The final response repeats the whole output: its text was read from the deltas, so only its status,
            // tool calls and usage are read here.
            Ended = true;
            if (root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object)
            {
                ReadResponse(response, readOutput: false);
            }
            else if (type.ValueEquals("response.failed"u8))
            {
                HasError = true;
            }
        }
        else if (type.ValueEquals("error"u8))
        {
            Ended = true;
            HasError = true;
        }

        // Every other event (created, in_progress, part and item boundaries, the done events that repeat the text,
        // reasoning and tool progress) adds nothing the judge reads.
    }

    /// <summary>A <c>response</c> object: its status, error, usage, and (whole bodies) its output.</summary>
    private void ReadResponse(JsonElement response, bool readOutput)
    {
        var status = Status(response);
        if (status == "failed" || (response.TryGetProperty("error", out var error) && error.ValueKind is JsonValueKind.Object or JsonValueKind.String))
        {
            HasError = true;
        }

        if (response.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in output.EnumerateArray())
            {
                if (IsFunctionCall(item))
                {
                    HasToolCalls = true;
                }
                else if (readOutput && item.ValueKind == JsonValueKind.Object && item.TryGetProperty("type", out var itemType) && itemType.ValueEquals("message"u8)
                    && item.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
                {
                    AppendResponseParts(content);
                }
            }
        }

        FinishReason = status switch
        {
            "completed" => HasToolCalls ? "tool_calls" : "stop",
            "incomplete" => IncompleteReason(response) switch
            {
                "max_output_tokens" => "length",
                { } reason => reason,
                null => FinishReason,
            },
            _ => FinishReason,
        };

        if (response.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            PromptTokens = ReadInt(usage, "input_tokens") ?? PromptTokens;
            CompletionTokens = ReadInt(usage, "output_tokens") ?? CompletionTokens;
        }
    }

    /// <summary>A message's <c>output_text</c> parts (their <c>text</c>) and <c>refusal</c> parts (their <c>refusal</c>).</summary>
    private void AppendResponseParts(JsonElement content)
    {
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var partType))
            {
                continue;
            }

            if (partType.ValueEquals("output_text"u8) && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                AppendString(text);
            }
            else if (partType.ValueEquals("refusal"u8) && part.TryGetProperty("refusal", out var refusal) && refusal.ValueKind == JsonValueKind.String)
            {
                AppendString(refusal);
            }
        }
    }

    private static bool IsFunctionCall(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("type", out var type) && type.ValueEquals("function_call"u8);

    private static string? Status(JsonElement response) =>
        response.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String ? status.GetString() : null;

    private static string? IncompleteReason(JsonElement response) =>
        response.TryGetProperty("incomplete_details", out var details) && details.ValueKind == JsonValueKind.Object
        && details.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String
            ? reason.GetString()
            : null;
}
