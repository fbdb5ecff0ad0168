using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using RefusalGate.Gateway.Errors;

namespace RefusalGate.Gateway.Gate.Parsing;

/// <summary>
/// Parses and validates a chat or text completion or Responses API body once, answering malformed input with the precise
/// OpenAI-style 400 a provider would give.
/// </summary>
public static class LlmRequestParser
{
    private static readonly HashSet<string> KnownRoles = ["system", "developer", "user", "assistant", "tool", "function"];

    // Duplicate keys are refused, not resolved: the gate would judge one "messages" while the provider, whose parser
    // may keep the other, answers another.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    public static bool TryParse(ReadOnlyMemory<byte> body, LlmEndpoint endpoint, out LlmRequest request, out OpenAiError error)
    {
        try
        {
            return TryParseCore(body, endpoint, out request, out error);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json reads "\ud800" (a lone surrogate escape) but cannot turn it into a string.
            request = null!;
            error = OpenAiError.InvalidJson("a string holds an unpaired UTF-16 surrogate escape.");
            return false;
        }
    }

    private static bool TryParseCore(ReadOnlyMemory<byte> body, LlmEndpoint endpoint, out LlmRequest request, out OpenAiError error)
    {
        request = null!;
        if (!Utf8.IsValid(body.Span))
        {
            error = OpenAiError.InvalidJson("the body is not valid UTF-8.");
            return false;
        }

        if (body.Span.StartsWith("\uFEFF"u8))
        {
            // JSON text must not start with a byte order mark (RFC 8259, 8.1); say so instead of "invalid start of a value".
            error = OpenAiError.InvalidJson("the body starts with a UTF-8 byte order mark; send the JSON without it.");
            return false;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body.Span, documentOptions: DocumentOptions);
        }
        catch (JsonException ex)
        {
            error = OpenAiError.InvalidJson(ex.Message);
            return false;
        }

        if (root is not JsonObject requestObject)
        {
            error = OpenAiError.InvalidJson("the body must be a JSON object.");
            return false;
        }

        if (requestObject["model"] is not JsonValue modelValue || !modelValue.TryGetValue<string>(out var model))
        {
            error = requestObject.ContainsKey("model") ? OpenAiError.InvalidField("model", "must be a string.") : OpenAiError.MissingField("model");
            return false;
        }

        if (string.IsNullOrWhiteSpace(model))
        {
            error = OpenAiError.InvalidField("model", "must not be empty.");
            return false;
        }

        var stream = false;
        if (requestObject["stream"] is { } streamNode)
        {
            if (streamNode.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
            {
                error = OpenAiError.InvalidField("stream", "must be a boolean.");
                return false;
            }

            stream = streamNode.GetValueKind() == JsonValueKind.True;
        }

        if (!TryReadConversation(requestObject, endpoint, out var messages, out error))
        {
            return false;
        }

        request = new LlmRequest(endpoint, requestObject, model, stream, messages);
        return true;
    }

    /// <summary>
    /// Reads the conversation of a body: <c>messages</c> for chat completions, <c>prompt</c> for text completions,
    /// <c>instructions</c> and <c>input</c> for the Responses API (also used by <c>refusalgate classify</c>, so both read
    /// text parts the same way).
    /// </summary>
    public static bool TryReadConversation(JsonObject body, LlmEndpoint endpoint, out IReadOnlyList<ConversationMessage> messages, out OpenAiError error)
    {
        var read = endpoint switch
        {
            LlmEndpoint.ChatCompletions => ReadChatMessages(body, out error),
            LlmEndpoint.Responses => ResponsesInputReader.Read(body, out error),
            _ => ReadPrompts(body, out error),
        };
        messages = read ?? [];
        return read is not null;
    }

    private static List<ConversationMessage>? ReadChatMessages(JsonObject body, out OpenAiError error)
    {
        if (body["messages"] is not JsonArray array)
        {
            error = body.ContainsKey("messages") ? OpenAiError.InvalidField("messages", "must be an array.") : OpenAiError.MissingField("messages");
            return null;
        }

        if (array.Count == 0)
        {
            error = OpenAiError.InvalidField("messages", "must contain at least one message.");
            return null;
        }

        var messages = new List<ConversationMessage>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonObject message
                || message["role"] is not JsonValue roleValue
                || !roleValue.TryGetValue<string>(out var role)
                || !KnownRoles.Contains(role))
            {
                error = OpenAiError.InvalidField($"messages[{i}]", "must be an object with a role of system, developer, user, assistant, tool or function.");
                return null;
            }

            if (!TryReadContent(message["content"], out var text, out var unread))
            {
                error = OpenAiError.InvalidField($"messages[{i}].content", "must be a string, null, or an array of content part objects whose text is a string.");
                return null;
            }

            messages.Add(new ConversationMessage(role, text, unread));
        }

        error = null!;
        return messages;
    }

    private static List<ConversationMessage>? ReadPrompts(JsonObject body, out OpenAiError error)
    {
        switch (body["prompt"])
        {
            case JsonValue value when value.TryGetValue<string>(out var prompt):
                error = null!;
                return [new ConversationMessage("user", prompt)];
            case JsonArray array when array.All(p => p is JsonValue v && v.TryGetValue<string>(out _)):
                // Each element is a completion of its own, and the provider answers them all; judged as one text, so
                // that no element (a harmful one before a harmless last one) escapes the gate.
                error = null!;
                return [new ConversationMessage("user", string.Join("\n\n", array.Select(p => p!.GetValue<string>())))];
            case null when !body.ContainsKey("prompt"):
                error = OpenAiError.MissingField("prompt");
                return null;
            default:
                // Token-id prompts are valid for some providers but carry no text to inspect.
                error = OpenAiError.InvalidField("prompt", "must be a string or an array of strings.");
                return null;
        }
    }

    private static bool TryReadContent(JsonNode? content, out string text, out UnreadContent unread)
    {
        if (content is null)
        {
            text = "";
            unread = UnreadContent.None;
            return true;
        }

        // A text part says so, or at least carries "text"; a text part must carry a string.
        return ContentParts.TryReadText(content, part => (part["type"] is JsonValue type && type.TryGetValue<string>(out var kind) && kind == "text") || part.ContainsKey("text"), out text, out unread);
    }
}
