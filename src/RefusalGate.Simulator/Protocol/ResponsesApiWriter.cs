using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RefusalGate.Shared;

namespace RefusalGate.Simulator.Protocol;

/// <summary>Writes answers in the Responses API's wire format: a <c>response</c> object, or its stream of events.</summary>
internal sealed class ResponsesApiWriter
{
    private readonly HttpResponse _response;
    private readonly ResponseHeader _header;
    private readonly ResponseMessage _message;
    private OpenAiResponsesStream? _stream;

    public ResponsesApiWriter(HttpResponse response, string model)
    {
        _response = response;
        var id = Guid.NewGuid().ToString("N");
        _header = new ResponseHeader("resp_sim_" + id, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), model);

        // A simulated refusal is written as a model writes one: plain text, which the gateway's detector judges.
        _message = new ResponseMessage("msg_sim_" + id, "", AsRefusal: false);
    }

    public async Task WriteWholeAsync(string text, int inputTokens, CancellationToken cancellationToken)
    {
        _response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(_response.BodyWriter);
        OpenAiResponsesJson.WriteResponse(writer, _header, "completed", _message with { Text = text }, (inputTokens, OpenAiResponseWriter.CountTokens(text)));
        await writer.FlushAsync(cancellationToken);
    }

    public Task StartStreamAsync(CancellationToken cancellationToken)
    {
        _response.ContentType = "text/event-stream";
        _response.Headers.CacheControl = "no-cache";
        _stream = new OpenAiResponsesStream(_header, _message);
        return WriteAsync(_stream.WriteStart, cancellationToken);
    }

    public Task WriteDeltaAsync(string delta, CancellationToken cancellationToken) =>
        WriteAsync(output => _stream!.WriteDelta(output, delta), cancellationToken);

    public Task WriteEndAsync(int inputTokens, int outputTokens, CancellationToken cancellationToken) =>
        WriteAsync(output => _stream!.WriteEnd(output, inputTokens, outputTokens), cancellationToken);

    private async Task WriteAsync(Action<IBufferWriter<byte>> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        write(buffer);
        await _response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
        await _response.Body.FlushAsync(cancellationToken);
    }
}
