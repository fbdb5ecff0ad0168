using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RefusalGate.Shared;

namespace RefusalGate.Simulator.Protocol;

/// <summary>Writes answers in OpenAI's wire format: chat and text completions, whole or as SSE chunks.</summary>
internal sealed class OpenAiResponseWriter
{
    private readonly HttpResponse _response;
    private readonly CompletionHeader _header;

    public OpenAiResponseWriter(HttpResponse response, string model, bool isChat)
    {
        _response = response;
        var id = (isChat ? "chatcmpl-sim-" : "cmpl-sim-") + Guid.NewGuid().ToString("N")[..16];
        _header = new CompletionHeader(id, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), model, isChat, "refusalgate-simulator");
    }

    /// <summary>The whole answer: <paramref name="choices"/> choices of the same text, and usage counting all of them.</summary>
    public async Task WriteWholeAsync(string text, int choices, int promptTokens, CancellationToken cancellationToken)
    {
        _response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(_response.BodyWriter);
        OpenAiCompletionJson.WriteCompletion(writer, _header, text, "stop", promptTokens, choices * CountTokens(text), choices);
        await writer.FlushAsync(cancellationToken);
    }

    public void StartStream()
    {
        _response.ContentType = "text/event-stream";
        _response.Headers.CacheControl = "no-cache";
    }

    /// <param name="usageNull">The request asked for usage (<c>include_usage</c>): OpenAI then gives every chunk before the usage chunk <c>"usage": null</c>.</param>
    public Task WriteChunkAsync(string? delta, bool first, string? finishReason, int choice, bool usageNull, CancellationToken cancellationToken) =>
        WriteEventAsync(writer => OpenAiCompletionJson.WriteChunk(writer, _header, first, delta, finishReason, choice, usageNull), cancellationToken);

    public Task WriteUsageChunkAsync(int promptTokens, int completionTokens, CancellationToken cancellationToken) =>
        WriteEventAsync(writer => OpenAiCompletionJson.WriteUsageChunk(writer, _header, promptTokens, completionTokens), cancellationToken);

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
}
