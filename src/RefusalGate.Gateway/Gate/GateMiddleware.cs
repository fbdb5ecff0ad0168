using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Errors;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.Proxy;
using RefusalGate.Gateway.RequestIds;
using RefusalGate.Gateway.Telemetry;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace RefusalGate.Gateway.Gate;

/// <summary>
/// The gate's seat in YARP's pipeline, before forwarding: buffers and parses the body once (bounded), runs the
/// stages, then either answers directly or forwards — to the chosen upstream, with the (possibly rewritten) body.
/// After forwarding it turns YARP's bare 502/504 into OpenAI-style errors.
/// </summary>
internal sealed partial class GateMiddleware(
    RequestDelegate next,
    GatePipeline pipeline,
    PassThroughRoutes passThrough,
    IProxyStateLookup proxyState,
    ObservationQueue observations,
    GatewayMetrics metrics,
    IOptions<GatewayOptions> options,
    IOptions<ObservationOptions> observationOptions,
    ILogger<GateMiddleware> logger)
{
    private readonly long _maxBodyBytes = options.Value.MaxRequestBodyBytes;
    private readonly GatewayResponseHeaders _responseHeaders = options.Value.ResponseHeaders;
    private readonly ObservationOptions _observation = observationOptions.Value;

    /// <summary>The prefix of the headers the gateway itself sets (on forwarded requests: the annotation).</summary>
    private const string GatewayHeaderPrefix = "x-refusalgate-";

    /// <summary>The decision (header and metric label) for a request to a route <c>Gateway:PassThrough</c> does not forward.</summary>
    internal const string RouteRejectedDecision = "reject_route";

    /// <summary>The rejection code of a request whose client left before its body had arrived (nginx's 499 says the same).</summary>
    internal const string ClientClosedRequestCode = "client_closed_request";

    /// <summary>How much of a refused path the log line keeps: a client chooses its length.</summary>
    private const int LoggedPathLength = 200;

    public async Task InvokeAsync(HttpContext context)
    {
        RemoveClientGatewayHeaders(context.Request.Headers);
        var method = context.Request.Method;
        if (GatedRoutes.Match(context.Request.Path) is not { } endpoint || GatedRoutes.IsForwardedUnjudged(method))
        {
            // Forwarded unjudged (a CORS preflight on a completion route too), so only where Gateway:PassThrough allows.
            if (!passThrough.Allows(method, context.Request.Path))
            {
                await RefuseRouteAsync(context, method);
                return;
            }

            await ForwardAsync(context);
            return;
        }

        if (!HttpMethods.IsPost(method))
        {
            // Answered here: forwarded, the upstream's bare 405 would reach the client as if the gate had allowed it.
            context.Response.Headers.Allow = GatedRoutes.AllowedMethod;
            await RejectAsync(context, OpenAiError.MethodNotAllowed(method, context.Request.Path, GatedRoutes.AllowedMethod));
            return;
        }

        var gate = await RunGateAsync(context, endpoint, Stopwatch.GetTimestamp());
        if (gate is null)
        {
            return;
        }

        // The upstream gets the route that was judged, whatever spelling of it the client sent (see GatedRoutes).
        context.Request.Path = GatedRoutes.CanonicalPath(endpoint);

        if (_observation.Enabled)
        {
            await ForwardAndObserveAsync(context, gate);
        }
        else
        {
            await ForwardAndRecordAsync(context, gate);
        }
    }

    /// <summary>A route the operator did not allow: answered here, never forwarded, counted and logged once.</summary>
    private async Task RefuseRouteAsync(HttpContext context, string method)
    {
        metrics.RequestGated(RouteRejectedDecision);

        // The path only: a query string may carry a credential (?api-key=...). Cut and without control characters, so a
        // client cannot flood or forge log lines.
        LogRouteNotAllowed(context.GetRequestId(), method, LoggablePath(context.Request.Path.Value));
        if (_responseHeaders != GatewayResponseHeaders.None)
        {
            context.Response.Headers[GateContext.DecisionHeader] = RouteRejectedDecision;
        }

        await OpenAiError.RouteNotAllowed(method, context.Request.Path.Value ?? "/").WriteAsync(context);
    }

    private static string LoggablePath(string? path)
    {
        var value = path ?? "/";
        var cut = value.Length > LoggedPathLength ? value[..LoggedPathLength] + "…" : value;
        return cut.Any(char.IsControl) ? string.Concat(cut.Select(c => char.IsControl(c) ? '?' : c)) : cut;
    }

    /// <summary>The detector is off: nothing is captured, but the request still gets its record (actual <c>not_judged</c>).</summary>
    private async Task ForwardAndRecordAsync(HttpContext context, GateContext gate)
    {
        var forwarded = Stopwatch.GetTimestamp();
        try
        {
            await ForwardAsync(context);
        }
        finally
        {
            var aborted = context.RequestAborted.IsCancellationRequested || context.GetForwarderErrorFeature() is not null;
            observations.Enqueue(new PendingObservation(GatedRequest.From(gate), context.Response.StatusCode, ResponseCopy.None, aborted, Stopwatch.GetElapsedTime(forwarded), Judge: false));
        }
    }

    private async Task ForwardAsync(HttpContext context)
    {
        await next(context);
        await ReportForwardingErrorAsync(context);
    }

    /// <summary>
    /// Forwards with the response stream wrapped so a bounded copy is kept, then queues the copy for the background
    /// judge. The client never waits for the judgement.
    /// </summary>
    private async Task ForwardAndObserveAsync(HttpContext context, GateContext gate)
    {
        var clientBody = context.Response.Body;
        using var capture = new ResponseCaptureStream(clientBody, _observation.MaxCapturedBytes, () => IsEventStream(context.Response), gate.Request.Endpoint);
        context.Response.Body = capture;
        var forwarded = Stopwatch.GetTimestamp();
        try
        {
            await ForwardAsync(context);
        }
        finally
        {
            context.Response.Body = clientBody;
            var aborted = context.RequestAborted.IsCancellationRequested || context.GetForwarderErrorFeature() is not null;
            observations.Enqueue(new PendingObservation(GatedRequest.From(gate), context.Response.StatusCode, capture.Detach(), aborted, Stopwatch.GetElapsedTime(forwarded)));
        }
    }

    private static bool IsEventStream(HttpResponse response) =>
        response.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Runs the stages; returns null when the request has been answered and must not be forwarded.</summary>
    private async Task<GateContext?> RunGateAsync(HttpContext context, LlmEndpoint endpoint, long started)
    {
        var cancellationToken = context.RequestAborted;
        if (!IsJsonOrUnspecified(context.Request.ContentType))
        {
            await RejectAsync(context, OpenAiError.UnsupportedMediaType());
            return null;
        }

        var contentEncoding = context.Request.Headers.ContentEncoding;
        if (!RequestContentEncoding.TryParse(contentEncoding, out var codings, out var unsupported))
        {
            context.Response.Headers.AcceptEncoding = RequestContentEncoding.Decodable;
            await RejectAsync(context, OpenAiError.UnsupportedContentEncoding(unsupported!));
            return null;
        }

        // The server's own limit (Kestrel's 30 MB by default) would refuse, bare, a body the gateway's limit allows (up
        // to 64 MiB); set to the gateway's, it holds for the bytes on the wire as the gate's holds for the bytes decoded.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } serverLimit)
        {
            serverLimit.MaxRequestBodySize = _maxBodyBytes;
        }

        ReadOnlyMemory<byte>? body;
        var decoded = RequestContentEncoding.Decode(context.Request.Body, codings);
        try
        {
            body = await RequestBodyReader.ReadAsync(decoded, context.Request.ContentLength, _maxBodyBytes, cancellationToken);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            // The client left while sending its body (Kestrel reports a reset or a cut body as an aborted request). There is
            // nothing to judge and nobody to answer, but it is counted and logged, so an upload that never arrives is seen.
            ClientLeftDuringUpload(context);
            return null;
        }
        catch (BadHttpRequestException ex)
        {
            // The server refused the body as it arrived (broken chunked framing, the size limit, a body cut short): the
            // client's fault, answered like any bad body instead of the server's bare status and an error log with a stack
            // trace. A body cut short is a client that left (Kestrel sees the closed connection as the body's end before it
            // signals the abort), so it is counted as one; it still gets its 400 in case it only half-closed.
            var refusal = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? OpenAiError.BodyTooLarge(_maxBodyBytes) : OpenAiError.UnreadableBody(ex.Message);
            if (cancellationToken.IsCancellationRequested || IsBodyCutShort(ex))
            {
                ClientLeftDuringUpload(context);
                if (!cancellationToken.IsCancellationRequested)
                {
                    await refusal.WriteAsync(context);
                }

                return null;
            }

            await RejectAsync(context, refusal);
            return null;
        }
        catch (Exception ex) when (RequestContentEncoding.IsCorruptBody(ex, codings))
        {
            await RejectAsync(context, OpenAiError.UndecodableBody(contentEncoding.ToString(), ex.Message));
            return null;
        }
        finally
        {
            // Only the decoders: the request body itself belongs to the server.
            if (decoded != context.Request.Body)
            {
                await decoded.DisposeAsync();
            }
        }

        if (body is not { } bodyBytes)
        {
            await RejectAsync(context, OpenAiError.BodyTooLarge(_maxBodyBytes));
            return null;
        }

        if (!LlmRequestParser.TryParse(bodyBytes, endpoint, out var request, out var error))
        {
            await RejectAsync(context, error);
            return null;
        }

        var proxyFeature = context.GetReverseProxyFeature();
        var gate = new GateContext(context, request, proxyFeature.Cluster.Config.ClusterId, _responseHeaders);
        context.Features.Set(gate);
        try
        {
            await pipeline.RunAsync(gate, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left while the gate decided (waiting for the model's self-prediction, mostly): nobody to answer,
            // but the request keeps its record, with what was predicted so far and nothing forwarded or judged.
            gate.GateDuration = Stopwatch.GetElapsedTime(started);
            observations.Enqueue(new PendingObservation(GatedRequest.From(gate), PendingObservation.ClientClosedRequest, ResponseCopy.None, Aborted: true, TimeSpan.Zero, Judge: false));
            return null;
        }

        // Every request the stages decided on counts, the ones a policy answers (block, constructive) included.
        gate.GateDuration = Stopwatch.GetElapsedTime(started);
        metrics.GateDuration(gate.GateDuration.Value);
        metrics.RequestGated(gate.Decision);
        if (gate.Response is { } response)
        {
            gate.WriteHeaders(context.Response.Headers);
            await response.WriteAsync(context);
            if (gate.Policy.Action is not null)
            {
                // A policy answered (block, constructive): still one record per request, with nothing to judge.
                observations.Enqueue(new PendingObservation(GatedRequest.From(gate), context.Response.StatusCode, ResponseCopy.None, false, TimeSpan.Zero, Judge: false));
            }

            return null;
        }

        if (gate.Upstream != proxyFeature.Cluster.Config.ClusterId && proxyState.TryGetCluster(gate.Upstream, out var cluster))
        {
            context.ReassignProxyRequest(cluster);
        }

        ReplaceBody(context.Request, request.IsModified ? request.Serialize() : bodyBytes);

        // The detector reads a copy of the answer, so ask the upstream for it uncompressed: "identity" says so, where a
        // missing Accept-Encoding would only mean "no preference" (RFC 9110, 12.5.3).
        context.Request.Headers.AcceptEncoding = "identity";
        return gate;
    }

    /// <summary>A request refused before the stages: counted by its error code (the gate's decisions count the rest).</summary>
    private Task RejectAsync(HttpContext context, OpenAiError error)
    {
        metrics.RequestRejected(error.Code);
        return error.WriteAsync(context);
    }

    /// <summary>
    /// Kestrel's rejection of a body that ended before its declared length or its last chunk. Its reason code is internal,
    /// so its message is matched (<c>RequestBodyFramingTests</c> notice a change of wording: the count would move to
    /// <c>invalid_request_body</c>).
    /// </summary>
    private static bool IsBodyCutShort(BadHttpRequestException exception) =>
        exception.StatusCode == StatusCodes.Status400BadRequest && exception.Message.StartsWith("Unexpected end of request content", StringComparison.Ordinal);

    private void ClientLeftDuringUpload(HttpContext context)
    {
        LogClientLeftDuringUpload(context.GetRequestId(), context.Request.ContentLength);
        metrics.RequestRejected(ClientClosedRequestCode);
    }

    /// <summary>
    /// The body was consumed by buffering; YARP forwards whatever stream is in place now. It is the body as judged:
    /// decoded, so the <c>Content-Encoding</c> it came with no longer applies.
    /// </summary>
    private static void ReplaceBody(HttpRequest request, ReadOnlyMemory<byte> body)
    {
        request.Body = new ReadOnlyMemoryStream(body);
        request.ContentLength = body.Length;
        request.Headers.Remove(HeaderNames.TransferEncoding);
        request.Headers.Remove(HeaderNames.ContentEncoding);
    }

    private async Task ReportForwardingErrorAsync(HttpContext context)
    {
        if (context.GetForwarderErrorFeature() is not { } errorFeature)
        {
            return;
        }

        var upstream = context.GetReverseProxyFeature().Cluster.Config.ClusterId;
        var midResponse = context.Response.HasStarted;
        var failure = new ForwardingFailure(errorFeature.Error, errorFeature.Exception);
        LogForwardingFailure(context.GetRequestId(), upstream, failure, midResponse);
        if (midResponse || context.RequestAborted.IsCancellationRequested)
        {
            // Mid-stream failures cannot change the status any more; YARP aborts the client connection.
            return;
        }

        var error = errorFeature.Error switch
        {
            // A pass-through body the server could not read (a completion body is read by the gate, before forwarding).
            ForwarderError.RequestBodyClient when failure.UnreadableRequestBody is { } badRequest => badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? OpenAiError.BodyTooLarge(context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0)
                : OpenAiError.UnreadableBody(badRequest.Message),
            ForwarderError.RequestTimedOut => OpenAiError.UpstreamTimeout(),
            ForwarderError.Request or ForwarderError.NoAvailableDestinations => OpenAiError.UpstreamUnreachable(),
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient => null,
            _ => OpenAiError.UpstreamFailed(),
        };
        if (error is not null)
        {
            context.Response.Headers.Clear();
            context.Features.Get<GateContext>()?.WriteHeaders(context.Response.Headers);
            await error.WriteAsync(context);
        }
    }

    /// <summary>
    /// The application behind reads <c>x-refusalgate-*</c> request headers (the annotate action's) as the gateway's word,
    /// so a client's own are never forwarded: only the gate sets them.
    /// </summary>
    private static void RemoveClientGatewayHeaders(IHeaderDictionary headers)
    {
        // Over the pairs, not Keys: Kestrel builds a new set of every name for Keys, on every request.
        List<string>? forged = null;
        foreach (var (name, _) in headers)
        {
            if (name.StartsWith(GatewayHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                (forged ??= []).Add(name);
            }
        }

        forged?.ForEach(name => headers.Remove(name));
    }

    private static bool IsJsonOrUnspecified(string? contentType) =>
        string.IsNullOrEmpty(contentType)
        || (MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            && (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// One line per failed request (YARP's own warning, with a stack trace, is filtered out in the host): the client
    /// leaving is routine, an upstream fault is worth a warning, and only an unexpected exception brings its stack trace.
    /// </summary>
    private void LogForwardingFailure(string requestId, string upstream, ForwardingFailure failure, bool midResponse)
    {
        var when = midResponse ? "after the response had started, so the client's connection was aborted" : "before the response started";
        switch (failure.Kind)
        {
            case ForwardingFailureKind.ClientGone:
                LogClientGone(requestId, upstream, midResponse ? "mid-response" : "before the response started", failure.Error, failure.Reason);
                break;
            case ForwardingFailureKind.UpstreamFault:
                LogUpstreamFault(requestId, upstream, when, failure.Error, failure.Reason);
                break;
            default:
                LogUnexpectedForwardingFailure(requestId, upstream, when, failure.Error, failure.Exception);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: the client went away while sending its request body (declared length {DeclaredLength}); nothing was judged or forwarded.")]
    private partial void LogClientLeftDuringUpload(string requestId, long? declaredLength);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: {Method} {Path} refused with 403 route_not_allowed, not forwarded: Gateway:PassThrough does not allow the route.")]
    private partial void LogRouteNotAllowed(string requestId, string method, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId}: the client cancelled or went away while forwarding to upstream {Upstream}, {When} ({Error}: {Reason}).")]
    private partial void LogClientGone(string requestId, string upstream, string when, ForwarderError error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: forwarding to upstream {Upstream} failed {When} ({Error}: {Reason}).")]
    private partial void LogUpstreamFault(string requestId, string upstream, string when, ForwarderError error, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {RequestId}: forwarding to upstream {Upstream} failed unexpectedly {When} ({Error}).")]
    private partial void LogUnexpectedForwardingFailure(string requestId, string upstream, string when, ForwarderError error, Exception? exception);
}
