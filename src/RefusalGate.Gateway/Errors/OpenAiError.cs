using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.RequestIds;

namespace RefusalGate.Gateway.Errors;

/// <summary>
/// An error in OpenAI's format (<c>{"error": {"message", "type", "param", "code"}}</c>) plus the request id, so
/// clients written for the provider handle gateway errors the same way and support can find the request.
/// </summary>
public sealed record OpenAiError(int StatusCode, string Message, string Type, string Code, string? Param = null) : IGateResponse
{
    public static OpenAiError InvalidJson(string detail) =>
        new(StatusCodes.Status400BadRequest, $"The request body is not valid JSON: {detail}", "invalid_request_error", "invalid_json");

    public static OpenAiError MissingField(string field) =>
        new(StatusCodes.Status400BadRequest, $"'{field}' is required.", "invalid_request_error", "missing_required_parameter", field);

    public static OpenAiError InvalidField(string field, string problem) =>
        new(StatusCodes.Status400BadRequest, $"'{field}' {problem}", "invalid_request_error", "invalid_value", field);

    /// <summary>A parameter the provider would refuse, in the provider's own words and code (e.g. <c>n</c> out of range).</summary>
    public static OpenAiError InvalidParameter(string param, string message, string code) =>
        new(StatusCodes.Status400BadRequest, message, "invalid_request_error", code, param);

    public static OpenAiError BodyTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, $"The request body exceeds the gateway's limit of {limit} bytes.", "invalid_request_error", "request_too_large");

    /// <summary>A body the server could not read as sent (e.g. a malformed chunk size in chunked transfer coding).</summary>
    public static OpenAiError UnreadableBody(string detail) =>
        new(StatusCodes.Status400BadRequest, $"The request body could not be read: {detail}", "invalid_request_error", "invalid_request_body");

    public static OpenAiError UnsupportedMediaType() =>
        new(StatusCodes.Status415UnsupportedMediaType, "The request body must be JSON (Content-Type: application/json).", "invalid_request_error", "unsupported_media_type");

    public static OpenAiError UnsupportedContentEncoding(string coding) =>
        new(StatusCodes.Status415UnsupportedMediaType, $"Content-Encoding '{coding}' is not supported: send the body uncompressed, or as gzip, deflate or br.",
            "invalid_request_error", "unsupported_content_encoding");

    public static OpenAiError UndecodableBody(string encoding, string detail) =>
        new(StatusCodes.Status400BadRequest, $"The request body could not be decoded as its Content-Encoding ({encoding}) says: {detail}",
            "invalid_request_error", "invalid_content_encoding");

    public static OpenAiError ModelNotFound(string model) =>
        new(StatusCodes.Status404NotFound, $"The model '{model}' is not served by any configured upstream.", "invalid_request_error", "model_not_found", "model");

    public static OpenAiError ModelNotAllowed(string model) =>
        new(StatusCodes.Status403Forbidden, $"The model '{model}' is not allowed by this gateway.", "invalid_request_error", "model_not_allowed", "model");

    public static OpenAiError RouteNotFound(string method, string path) =>
        new(StatusCodes.Status404NotFound, $"Unknown route: {method} {path}.", "invalid_request_error", "unknown_url");

    /// <summary>
    /// A route <c>Gateway:PassThrough</c> does not forward: 403, as for a denied model (the SDKs raise their
    /// permission-denied error), rather than OpenAI's 404 for a route that does not exist, since the provider may serve it.
    /// </summary>
    public static OpenAiError RouteNotAllowed(string method, string path) =>
        new(StatusCodes.Status403Forbidden, $"This gateway does not forward {method} {path}: the route is not among its allowed pass-through routes.",
            "invalid_request_error", "route_not_allowed");

    public static OpenAiError MethodNotAllowed(string method, string path, string allowed) =>
        new(StatusCodes.Status405MethodNotAllowed, $"Invalid method for URL ({method} {path}): use {allowed}.", "invalid_request_error", "method_not_allowed");

    public static OpenAiError UpstreamUnreachable() =>
        new(StatusCodes.Status502BadGateway, "The upstream model provider could not be reached.", "upstream_error", "upstream_unreachable");

    public static OpenAiError UpstreamFailed() =>
        new(StatusCodes.Status502BadGateway, "The upstream model provider failed while answering.", "upstream_error", "upstream_failed");

    public static OpenAiError UpstreamTimeout() =>
        new(StatusCodes.Status504GatewayTimeout, "The upstream model provider did not answer in time.", "upstream_error", "upstream_timeout");

    public async Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCode;
        response.ContentType = "application/json";

        // Serialised to a buffer and written to Response.Body (not BodyWriter): the gate may have wrapped the body
        // stream, and a pipe writer over a wrapped stream would need an extra flush to reach it.
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", Message);
            writer.WriteString("type", Type);
            writer.WriteString("param", Param);
            writer.WriteString("code", Code);
            writer.WriteString("request_id", context.GetRequestId());
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        await response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
