using System.Text;
using System.Text.Json.Nodes;

namespace RefusalGate.Gateway.Gate.Parsing;

/// <summary>
/// A message's content as both APIs send it: a string, or an array of typed parts whose text parts are read in order,
/// joined by a line break. Which parts carry text is each API's own (<c>text</c> in chat, <c>input_text</c> and
/// <c>output_text</c> in the Responses API); images, audio and files carry none, and are reported as unread.
/// </summary>
internal static class ContentParts
{
    /// <summary>False when the content is neither, a part is not an object, or a text part's text is not a string.</summary>
    public static bool TryReadText(JsonNode? content, Func<JsonObject, bool> isTextPart, out string text, out UnreadContent unread)
    {
        text = "";
        unread = UnreadContent.None;
        switch (content)
        {
            case JsonValue value when value.TryGetValue<string>(out var s):
                text = s;
                return true;
            case JsonArray parts:
                var builder = new StringBuilder();
                foreach (var part in parts)
                {
                    if (part is not JsonObject partObject)
                    {
                        return false;
                    }

                    if (!isTextPart(partObject))
                    {
                        unread |= UnreadContentNames.OfPartType(partObject["type"] is JsonValue type && type.TryGetValue<string>(out var kind) ? kind : null);
                        continue;
                    }

                    if (partObject["text"] is not JsonValue partText || !partText.TryGetValue<string>(out var t))
                    {
                        return false;
                    }

                    if (builder.Length > 0)
                    {
                        builder.Append('\n');
                    }

                    builder.Append(t);
                }

                text = builder.ToString();
                return true;
            default:
                return false;
        }
    }
}
