using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RefusalGate.Gateway.Errors;

namespace RefusalGate.Gateway.Gate.Parsing;

/// <summary>
/// Reads the conversation of a Responses API body: <c>instructions</c> (a system message first) and <c>input</c>, a
/// string (one user message) or an array of items. Message items (<c>{"role", "content"}</c>, with or without
/// <c>"type": "message"</c>) give their text parts (<c>input_text</c>, <c>output_text</c>); every other item (function
/// calls and their outputs, reasoning, ...) carries no text for the classifier and is kept in the body unread.
/// </summary>
/// <remarks>
/// Only the input sent is read: a request that continues server-side state (<c>previous_response_id</c>,
/// <c>conversation</c>) or uses a stored prompt (<c>prompt</c>) is judged on what it adds, not on what the provider
/// holds. A request without <c>input</c> is valid for the provider in those cases, so it is accepted here.
/// </remarks>
internal static class ResponsesInputReader
{
    private static readonly HashSet<string> MessageRoles = ["user", "assistant", "system", "developer"];

    public static List<ConversationMessage>? Read(JsonObject body, out OpenAiError error)
    {
        var messages = new List<ConversationMessage>();
        switch (body["instructions"])
        {
            case null:
                break;
            case JsonValue value when value.TryGetValue<string>(out var instructions):
                messages.Add(new ConversationMessage("system", instructions));
                break;
            default:
                error = OpenAiError.InvalidField("instructions", "must be a string.");
                return null;
        }

        switch (body["input"])
        {
            case null:
                break;
            case JsonValue value when value.TryGetValue<string>(out var input):
                messages.Add(new ConversationMessage("user", input));
                break;
            case JsonArray items:
                for (var i = 0; i < items.Count; i++)
                {
                    if (!TryReadItem(items[i], i, messages, out error))
                    {
                        return null;
                    }
                }

                break;
            default:
                error = OpenAiError.InvalidField("input", "must be a string or an array of input items.");
                return null;
        }

        error = null!;
        return messages;
    }

    private static bool TryReadItem(JsonNode? node, int i, List<ConversationMessage> messages, out OpenAiError error)
    {
        error = null!;
        if (node is not JsonObject item)
        {
            error = OpenAiError.InvalidField($"input[{i}]", "must be an input item object.");
            return false;
        }

        var type = item["type"] is JsonValue typeValue && typeValue.TryGetValue<string>(out var t) ? t : null;
        if (type is null && item.ContainsKey("type"))
        {
            error = OpenAiError.InvalidField($"input[{i}].type", "must be a string.");
            return false;
        }

        // Function calls, their outputs, reasoning and the other item types: no text for the classifier.
        if (type is not (null or "message"))
        {
            return true;
        }

        if (item["role"] is not JsonValue roleValue || !roleValue.TryGetValue<string>(out var role) || !MessageRoles.Contains(role))
        {
            error = OpenAiError.InvalidField($"input[{i}]", "must be a message with a role of user, assistant, system or developer, or an item with a type.");
            return false;
        }

        if (!TryReadContent(item["content"], out var text, out var unread))
        {
            error = OpenAiError.InvalidField($"input[{i}].content", "must be a string or an array of content part objects whose text is a string.");
            return false;
        }

        messages.Add(new ConversationMessage(role, text, unread));
        return true;
    }

    /// <summary>A string, or parts whose <c>input_text</c>/<c>output_text</c> text is read in order (images, files and refusals are not).</summary>
    private static bool TryReadContent(JsonNode? content, out string text, out UnreadContent unread) =>
        ContentParts.TryReadText(content, IsTextPart, out text, out unread);

    private static bool IsTextPart(JsonObject part) =>
        part["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String && type.GetValue<string>() is "input_text" or "output_text";
}
