using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.RequestIds;

namespace RefusalGate.Gateway.Policies.Actions;

/// <summary>
/// The gateway's own answer in the provider's completion format — a chat or text completion, whole or as an SSE
/// stream — so that a block or constructive answer looks to the client exactly like a model's.
/// </summary>
internal sealed record PolicyCompletion(string Message, string Model, bool IsChat, bool Stream, string FinishReason) : IGateResponse
{
    public async Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        var id = (IsChat ? "chatcmpl-refusalgate-" : "cmpl-refusalgate-") + context.GetRequestId();
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var buffer = new ArrayBufferWriter<byte>(512);
        if (Stream)
        {
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            WriteEvent(buffer, w => WriteChunk(w, id, created, role: true, Message, finishReason: null));
            WriteEvent(buffer, w => WriteChunk(w, id, created, role: false, content: null, FinishReason));
            buffer.Write("data: [DONE]\n\n"u8);
        }
        else
        {
            response.ContentType = "application/json";
            using var writer = new Utf8JsonWriter(buffer);
            WriteWhole(writer, id, created);
        }

        // Response.Body, not BodyWriter: the gate may have wrapped the body stream (see OpenAiError).
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    private void WriteWhole(Utf8JsonWriter writer, string id, long created)
    {
        writer.WriteStartObject();
        WriteHeader(writer, id, created, IsChat ? "chat.completion" : "text_completion");
        writer.WriteStartArray("choices");
        writer.WriteStartObject();
        writer.WriteNumber("index", 0);
        if (IsChat)
        {
            writer.WriteStartObject("message");
            writer.WriteString("role", "assistant");
            writer.WriteString("content", Message);
            writer.WriteNull("refusal");
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteString("text", Message);
        }

        writer.WriteNull("logprobs");
        writer.WriteString("finish_reason", FinishReason);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteStartObject("usage");
        writer.WriteNumber("prompt_tokens", 0);
        writer.WriteNumber("completion_tokens", 0);
        writer.WriteNumber("total_tokens", 0);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private void WriteChunk(Utf8JsonWriter writer, string id, long created, bool role, string? content, string? finishReason)
    {
        writer.WriteStartObject();
        WriteHeader(writer, id, created, IsChat ? "chat.completion.chunk" : "text_completion");
        writer.WriteStartArray("choices");
        writer.WriteStartObject();
        writer.WriteNumber("index", 0);
        if (IsChat)
        {
            writer.WriteStartObject("delta");
            if (role)
            {
                writer.WriteString("role", "assistant");
            }

            if (content is not null)
            {
                writer.WriteString("content", content);
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
        writer.WriteEndObject();
    }

    private void WriteHeader(Utf8JsonWriter writer, string id, long created, string kind)
    {
        writer.WriteString("id", id);
        writer.WriteString("object", kind);
        writer.WriteNumber("created", created);
        writer.WriteString("model", Model);
        writer.WriteString("system_fingerprint", "refusalgate-policy");
    }

    private static void WriteEvent(ArrayBufferWriter<byte> buffer, Action<Utf8JsonWriter> write)
    {
        buffer.Write("data: "u8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        buffer.Write("\n\n"u8);
    }
}
