using System.Buffers;
using System.Text;
using System.Text.Json;

namespace RefusalGate.Shared;

/// <summary>Who is answering: the fields every Responses API <c>response</c> object starts with.</summary>
internal readonly record struct ResponseHeader(string Id, long CreatedAt, string Model);

/// <summary>
/// The one assistant message of an answer: its text as an <c>output_text</c> part, or with <paramref name="AsRefusal"/>
/// as a <c>refusal</c> part, which is how OpenAI's Responses API gives a refusal (and how the SDKs tell one apart).
/// </summary>
internal readonly record struct ResponseMessage(string Id, string Text, bool AsRefusal);

/// <summary>
/// OpenAI's Responses API wire format (<c>POST /v1/responses</c>), whole or as its stream of typed events, written once
/// for everything in the repository that answers like a provider: the gateway's policy answers and the simulated
/// upstream. Linked into both projects, as <see cref="OpenAiCompletionJson"/> is.
/// </summary>
internal static class OpenAiResponsesJson
{
    /// <summary>
    /// A whole <c>response</c> object of <paramref name="status"/>, with the message as its only output item (none
    /// while <c>in_progress</c>: <paramref name="message"/> null) and its usage (null while in progress).
    /// </summary>
    public static void WriteResponse(Utf8JsonWriter writer, ResponseHeader header, string status, ResponseMessage? message, (int Input, int Output)? usage)
    {
        writer.WriteStartObject();
        writer.WriteString("id", header.Id);
        writer.WriteString("object", "response");
        writer.WriteNumber("created_at", header.CreatedAt);
        writer.WriteString("status", status);
        writer.WriteNull("error");
        writer.WriteNull("incomplete_details");
        writer.WriteNull("instructions");
        writer.WriteNull("max_output_tokens");
        writer.WriteString("model", header.Model);
        writer.WriteStartArray("output");
        if (message is { } m)
        {
            WriteMessageItem(writer, m, "completed");
        }

        writer.WriteEndArray();
        writer.WriteBoolean("parallel_tool_calls", true);
        writer.WriteNull("previous_response_id");
        writer.WriteBoolean("store", false);
        writer.WriteStartObject("text");
        writer.WriteStartObject("format");
        writer.WriteString("type", "text");
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteString("tool_choice", "auto");
        writer.WriteStartArray("tools");
        writer.WriteEndArray();
        writer.WriteString("truncation", "disabled");
        if (usage is { } u)
        {
            WriteUsage(writer, u.Input, u.Output);
        }
        else
        {
            writer.WriteNull("usage");
        }

        writer.WriteStartObject("metadata");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>A <c>message</c> output item; its content is empty while <c>in_progress</c>, as the stream announces it.</summary>
    public static void WriteMessageItem(Utf8JsonWriter writer, ResponseMessage message, string status)
    {
        writer.WriteStartObject();
        writer.WriteString("id", message.Id);
        writer.WriteString("type", "message");
        writer.WriteString("status", status);
        writer.WriteString("role", "assistant");
        writer.WriteStartArray("content");
        if (status == "completed")
        {
            WritePart(writer, message, message.Text);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The message's content part holding <paramref name="text"/> (empty when a stream announces it).</summary>
    public static void WritePart(Utf8JsonWriter writer, ResponseMessage message, string text)
    {
        writer.WriteStartObject();
        if (message.AsRefusal)
        {
            writer.WriteString("type", "refusal");
            writer.WriteString("refusal", text);
        }
        else
        {
            writer.WriteString("type", "output_text");
            writer.WriteStartArray("annotations");
            writer.WriteEndArray();
            writer.WriteStartArray("logprobs");
            writer.WriteEndArray();
            writer.WriteString("text", text);
        }

        writer.WriteEndObject();
    }

    private static void WriteUsage(Utf8JsonWriter writer, int inputTokens, int outputTokens)
    {
        writer.WriteStartObject("usage");
        writer.WriteNumber("input_tokens", inputTokens);
        writer.WriteStartObject("input_tokens_details");
        writer.WriteNumber("cached_tokens", 0);
        writer.WriteEndObject();
        writer.WriteNumber("output_tokens", outputTokens);
        writer.WriteStartObject("output_tokens_details");
        writer.WriteNumber("reasoning_tokens", 0);
        writer.WriteEndObject();
        writer.WriteNumber("total_tokens", inputTokens + outputTokens);
        writer.WriteEndObject();
    }
}

/// <summary>
/// One answer as the Responses API streams it: <see cref="WriteStart"/> (<c>response.created</c>,
/// <c>response.in_progress</c>, the message item and its content part added), a delta per piece of text
/// (<c>response.output_text.delta</c>, or <c>response.refusal.delta</c> for a refusal), and <see cref="WriteEnd"/> (the
/// text, part and item done, then <c>response.completed</c> with the whole response). Every event carries its
/// <c>type</c> and <c>sequence_number</c>, framed with an <c>event:</c> line naming the type, as OpenAI sends them.
/// </summary>
internal sealed class OpenAiResponsesStream(ResponseHeader header, ResponseMessage message)
{
    private readonly StringBuilder _text = new();
    private int _sequence;

    public void WriteStart(IBufferWriter<byte> output)
    {
        WriteEvent(output, "response.created", w => WriteResponseField(w, "in_progress", null));
        WriteEvent(output, "response.in_progress", w => WriteResponseField(w, "in_progress", null));
        WriteEvent(output, "response.output_item.added", w =>
        {
            w.WriteNumber("output_index", 0);
            w.WritePropertyName("item");
            OpenAiResponsesJson.WriteMessageItem(w, message, "in_progress");
        });
        WriteEvent(output, "response.content_part.added", w =>
        {
            WritePartPosition(w);
            w.WritePropertyName("part");
            OpenAiResponsesJson.WritePart(w, message, "");
        });
    }

    public void WriteDelta(IBufferWriter<byte> output, string delta)
    {
        _text.Append(delta);
        WriteEvent(output, message.AsRefusal ? "response.refusal.delta" : "response.output_text.delta", w =>
        {
            WritePartPosition(w);
            w.WriteString("delta", delta);
            if (!message.AsRefusal)
            {
                w.WriteStartArray("logprobs");
                w.WriteEndArray();
            }
        });
    }

    public void WriteEnd(IBufferWriter<byte> output, int inputTokens, int outputTokens)
    {
        var whole = message with { Text = _text.ToString() };
        WriteEvent(output, message.AsRefusal ? "response.refusal.done" : "response.output_text.done", w =>
        {
            WritePartPosition(w);
            w.WriteString(message.AsRefusal ? "refusal" : "text", whole.Text);
            if (!message.AsRefusal)
            {
                w.WriteStartArray("logprobs");
                w.WriteEndArray();
            }
        });
        WriteEvent(output, "response.content_part.done", w =>
        {
            WritePartPosition(w);
            w.WritePropertyName("part");
            OpenAiResponsesJson.WritePart(w, whole, whole.Text);
        });
        WriteEvent(output, "response.output_item.done", w =>
        {
            w.WriteNumber("output_index", 0);
            w.WritePropertyName("item");
            OpenAiResponsesJson.WriteMessageItem(w, whole, "completed");
        });
        WriteEvent(output, "response.completed", w => WriteResponseField(w, "completed", (whole, (inputTokens, outputTokens))));
    }

    private void WriteResponseField(Utf8JsonWriter writer, string status, (ResponseMessage Message, (int, int) Usage)? done)
    {
        writer.WritePropertyName("response");
        OpenAiResponsesJson.WriteResponse(writer, header, status, done?.Message, done?.Usage);
    }

    private void WritePartPosition(Utf8JsonWriter writer)
    {
        writer.WriteString("item_id", message.Id);
        writer.WriteNumber("output_index", 0);
        writer.WriteNumber("content_index", 0);
    }

    private void WriteEvent(IBufferWriter<byte> output, string type, Action<Utf8JsonWriter> writeFields)
    {
        output.Write("event: "u8);
        Encoding.UTF8.GetBytes(type, output);
        output.Write("\ndata: "u8);
        using (var writer = new Utf8JsonWriter(output))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteNumber("sequence_number", _sequence++);
            writeFields(writer);
            writer.WriteEndObject();
        }

        output.Write("\n\n"u8);
    }
}
