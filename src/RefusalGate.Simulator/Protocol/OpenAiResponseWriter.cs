using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace RefusalGate.Simulator.Protocol;

/// <summary>Writes answers in OpenAI's wire format: chat and text completions, whole or as SSE chunks.</summary>
internal sealed class OpenAiResponseWriter
{
    private readonly HttpResponse _response;
    private readonly string _id;
    private readonly string _model;
    private readonly bool _isChat;
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public OpenAiResponseWriter(HttpResponse response, string model, bool isChat)
    {
        _response = response;
        _model = model;
        _isChat = isChat;
        _id = (isChat ? "chatcmpl-sim-" : "cmpl-sim-") + Guid.NewGuid().ToString("N")[..16];
    }

    public async Task WriteWholeAsync(string text, int promptTokens, CancellationToken cancellationToken)
    {
        _response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(_response.BodyWriter);
        writer.WriteStartObject();
        WriteHeader(writer, chunk: false);
        writer.WriteStartArray("choices");
        writer.WriteStartObject();
        writer.WriteNumber("index", 0);
        if (_isChat)
        {
            writer.WriteStartObject("message");
            writer.WriteString("role", "assistant");
            writer.WriteString("content", text);
            writer.WriteNull("refusal");
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteString("text", text);
        }

        writer.WriteNull("logprobs");
        writer.WriteString("finish_reason", "stop");
        writer.WriteEndObject();
        writer.WriteEndArray();
        WriteUsage(writer, promptTokens, CountTokens(text));
        writer.WriteEndObject();
        await writer.FlushAsync(cancellationToken);
    }

    public void StartStream()
    {
        _response.ContentType = "text/event-stream";
        _response.Headers.CacheControl = "no-cache";
    }

    public async Task WriteChunkAsync(string? delta, bool first, string? finishReason, CancellationToken cancellationToken)
    {
        await WriteEventAsync(writer =>
        {
            writer.WriteStartObject();
            WriteHeader(writer, chunk: true);
            writer.WriteStartArray("choices");
            writer.WriteStartObject();
            writer.WriteNumber("index", 0);
            if (_isChat)
            {
                writer.WriteStartObject("delta");
                if (first)
                {
                    writer.WriteString("role", "assistant");
                }

                if (delta is not null)
                {
                    writer.WriteString("content", delta);
                }

                writer.WriteEndObject();
            }
            else
            {
                writer.WriteString("text", delta ?? "");
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
        }, cancellationToken);
    }

    public Task WriteUsageChunkAsync(int promptTokens, int completionTokens, CancellationToken cancellationToken) =>
        WriteEventAsync(writer =>
        {
            writer.WriteStartObject();
            WriteHeader(writer, chunk: true);
            writer.WriteStartArray("choices");
            writer.WriteEndArray();
            WriteUsage(writer, promptTokens, completionTokens);
            writer.WriteEndObject();
        }, cancellationToken);

    public async Task WriteDoneAsync(CancellationToken cancellationToken)
    {
        await _response.WriteAsync("data: [DONE]\n\n", cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
    }

    public static int CountTokens(string text) => Math.Max(1, text.Length / 4);

    private async Task WriteEventAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        await _response.WriteAsync("data: ", cancellationToken);
        await using (var writer = new Utf8JsonWriter(_response.BodyWriter))
        {
            write(writer);
            await writer.FlushAsync(cancellationToken);
        }

        await _response.WriteAsync("\n\n", cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
    }

    private void WriteHeader(Utf8JsonWriter writer, bool chunk)
    {
        writer.WriteString("id", _id);
        writer.WriteString("object", _isChat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
        writer.WriteNumber("created", _created);
        writer.WriteString("model", _model);
        writer.WriteString("system_fingerprint", "refusalgate-simulator");
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
