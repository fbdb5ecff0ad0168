using System.Text.Json;

namespace RefusalGate.Shared;

/// <summary>Who is answering: the fields every completion object and chunk starts with.</summary>
internal readonly record struct CompletionHeader(string Id, long Created, string Model, bool IsChat, string SystemFingerprint);

/// <summary>
/// OpenAI's completion wire format (chat and text, whole or as stream chunks), written once for everything in the
/// repository that answers like a provider: the gateway's policy answers and the simulated upstream. A source file
/// linked into both projects rather than a library, because it is their only shared code.
/// </summary>
internal static class OpenAiCompletionJson
{
    /// <summary>
    /// A whole <c>chat.completion</c> or <c>text_completion</c> with its usage; every one of <paramref name="choices"/>
    /// carries the text. With <paramref name="asRefusal"/> a chat message carries it as its <c>refusal</c>, with no
    /// content, as OpenAI answers a refusal under structured outputs.
    /// </summary>
    public static void WriteCompletion(Utf8JsonWriter writer, CompletionHeader header, string text, string finishReason, int promptTokens, int completionTokens, int choices = 1, bool asRefusal = false)
    {
        writer.WriteStartObject();
        WriteHeader(writer, header, chunk: false);
        writer.WriteStartArray("choices");
        for (var index = 0; index < choices; index++)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index", index);
            if (header.IsChat)
            {
                writer.WriteStartObject("message");
                writer.WriteString("role", "assistant");
                if (asRefusal)
                {
                    writer.WriteNull("content");
                    writer.WriteString("refusal", text);
                }
                else
                {
                    writer.WriteString("content", text);
                    writer.WriteNull("refusal");
                }

                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("text", text);
            }

            writer.WriteNull("logprobs");
            writer.WriteString("finish_reason", finishReason);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        WriteUsage(writer, promptTokens, completionTokens);
        writer.WriteEndObject();
    }

    /// <summary>
    /// One stream chunk of choice <paramref name="index"/>: the role on its first, a content delta (a <c>refusal</c> delta
    /// with <paramref name="asRefusal"/>, chat only), and the finish reason on its last. <paramref name="usageNull"/> adds
    /// <c>"usage": null</c>, which OpenAI puts on every chunk before the usage chunk of <c>include_usage</c>.
    /// </summary>
    public static void WriteChunk(Utf8JsonWriter writer, CompletionHeader header, bool role, string? content, string? finishReason, int index = 0, bool usageNull = false, bool asRefusal = false)
    {
        writer.WriteStartObject();
        WriteHeader(writer, header, chunk: true);
        writer.WriteStartArray("choices");
        writer.WriteStartObject();
        writer.WriteNumber("index", index);
        if (header.IsChat)
        {
            writer.WriteStartObject("delta");
            if (role)
            {
                writer.WriteString("role", "assistant");
            }

            if (content is not null)
            {
                writer.WriteString(asRefusal ? "refusal" : "content", content);
            }

            writer.WriteEndObject();
        }
        else
        {
            writer.WriteString("text", content ?? "");
        }

        writer.WriteNull("logprobs");
        if (finishReason is null)
        {
            writer.WriteNull("finish_reason");
        }
        else
        {
            writer.WriteString("finish_reason", finishReason);
        }

        writer.WriteEndObject();
        writer.WriteEndArray();
        if (usageNull)
        {
            writer.WriteNull("usage");
        }

        writer.WriteEndObject();
    }

    /// <summary>The final chunk of <c>stream_options.include_usage</c>: no choices, only usage.</summary>
    public static void WriteUsageChunk(Utf8JsonWriter writer, CompletionHeader header, int promptTokens, int completionTokens)
    {
        writer.WriteStartObject();
        WriteHeader(writer, header, chunk: true);
        writer.WriteStartArray("choices");
        writer.WriteEndArray();
        WriteUsage(writer, promptTokens, completionTokens);
        writer.WriteEndObject();
    }

    private static void WriteHeader(Utf8JsonWriter writer, CompletionHeader header, bool chunk)
    {
        writer.WriteString("id", header.Id);
        writer.WriteString("object", header.IsChat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
        writer.WriteNumber("created", header.Created);
        writer.WriteString("model", header.Model);
        writer.WriteString("system_fingerprint", header.SystemFingerprint);
    }

    private static void WriteUsage(Utf8JsonWriter writer, int promptTokens, int completionTokens)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", promptTokens);
        writer.WriteNumber("completion_tokens", completionTokens);
        writer.WriteNumber("total_tokens", promptTokens + completionTokens);
        writer.WriteEndObject();
    }
}
