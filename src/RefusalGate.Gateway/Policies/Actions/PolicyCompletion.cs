using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.RequestIds;
using RefusalGate.Shared;

namespace RefusalGate.Gateway.Policies.Actions;

/// <summary>
/// The gateway's own answer in the provider's completion format — a chat or text completion, whole or as an SSE
/// stream — so that a block or constructive answer looks to the client exactly like a model's, with as many choices
/// as the request asked for (each the same message).
/// </summary>
internal sealed record PolicyCompletion(string Message, string Model, bool IsChat, bool Stream, string FinishReason, int Choices = 1) : IGateResponse
{
    public async Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        var header = new CompletionHeader(
            (IsChat ? "chatcmpl-refusalgate-" : "cmpl-refusalgate-") + context.GetRequestId(),
            DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            Model,
            IsChat,
            "refusalgate-policy");
        var buffer = new ArrayBufferWriter<byte>(512);
        if (Stream)
        {
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            for (var index = 0; index < Choices; index++)
            {
                WriteEvent(buffer, w => OpenAiCompletionJson.WriteChunk(w, header, role: true, Message, finishReason: null, index));
                WriteEvent(buffer, w => OpenAiCompletionJson.WriteChunk(w, header, role: false, content: null, FinishReason, index));
            }

            buffer.Write("data: [DONE]\n\n"u8);
        }
        else
        {
            response.ContentType = "application/json";
            using var writer = new Utf8JsonWriter(buffer);
            OpenAiCompletionJson.WriteCompletion(writer, header, Message, FinishReason, promptTokens: 0, completionTokens: 0, Choices);
        }

        // Response.Body, not BodyWriter: the gate may have wrapped the body stream (see OpenAiError).
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
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
