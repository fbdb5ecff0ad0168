using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.RequestIds;
using RefusalGate.Shared;

namespace RefusalGate.Gateway.Policies.Actions;

/// <summary>
/// The gateway's own answer to a Responses API request, in that API's format — a <c>response</c> object, or its stream
/// of events — so that a block or constructive answer reads to the client as a model's (see <see cref="PolicyCompletion"/>
/// for the completion routes). A block is given as a <c>refusal</c> content part, as OpenAI gives a model's refusal, so
/// the SDKs read it as one; a constructive answer as <c>output_text</c>. The answer is complete (nothing was cut or
/// filtered by a provider): the policy, not a model, decided it, and the response says <c>completed</c>.
/// </summary>
internal sealed record PolicyResponse(string Message, string Model, bool Stream, bool AsRefusal) : IGateResponse
{
    public async Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        var requestId = context.GetRequestId();
        var header = new ResponseHeader("resp_refusalgate_" + requestId, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), Model);
        var message = new ResponseMessage("msg_refusalgate_" + requestId, Message, AsRefusal);
        var buffer = new ArrayBufferWriter<byte>(2048);
        if (Stream)
        {
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            var events = new OpenAiResponsesStream(header, message);
            events.WriteStart(buffer);
            events.WriteDelta(buffer, Message);
            events.WriteEnd(buffer, inputTokens: 0, outputTokens: 0);
        }
        else
        {
            response.ContentType = "application/json";
            using var writer = new Utf8JsonWriter(buffer);
            OpenAiResponsesJson.WriteResponse(writer, header, "completed", message, usage: (0, 0));
        }

        // Response.Body, not BodyWriter: the gate may have wrapped the body stream (see OpenAiError).
        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
