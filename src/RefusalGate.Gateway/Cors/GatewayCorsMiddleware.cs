using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.Gate.Stages;
using RefusalGate.Gateway.Policies;
using RefusalGate.Gateway.Policies.Actions;
using RefusalGate.Gateway.Proxy;
using RefusalGate.Gateway.RequestIds;

namespace RefusalGate.Gateway.Cors;

/// <summary>
/// With <c>Gateway:Cors:AllowedOrigins</c> set, the gateway is the CORS authority for the API under <c>/v1</c>: it
/// answers preflights itself (never forwarded) and gives every response to an allowed origin, its own and the
/// provider's alike, the same headers, replacing any the provider sent. So a block or an error the gateway writes
/// reaches the browser's code, and the request id and the gate's headers can be read there.
/// </summary>
public sealed class GatewayCorsMiddleware(RequestDelegate next, IOptions<GatewayOptions> options)
{
    /// <summary>
    /// Headers browser code may read: <c>*</c>, every header (allowed because the gateway never answers in credentials
    /// mode), so an annotate action's configured headers are readable too; and, for browsers that predate the wildcard,
    /// the request id, the provider's and the gate's by name.
    /// </summary>
    private static readonly string ExposedHeaders = string.Join(", ",
        "*",
        RequestIdMiddleware.HeaderName, UpstreamRequestTransforms.UpstreamRequestIdHeader, GateContext.DecisionHeader,
        ClassificationStage.PredictionHeader, ClassificationStage.ConfidenceHeader, ClassificationStage.CategoryHeader,
        ClassificationStage.UnreadContentHeader, PolicyStage.ZoneHeader, PolicyStage.SelfPredictionHeader,
        PolicyStage.SelfConfidenceHeader, PolicyStage.SelfCachedHeader, PolicyStage.FusedProbabilityHeader,
        AnnotateAction.AnnotationHeader, ShadowAction.ShadowDecisionHeader);

    private const string AllowedMethods = "GET, POST, DELETE, OPTIONS";

    private readonly CorsOptions _cors = options.Value.Cors;
    private readonly bool _anyOrigin = options.Value.Cors.AllowedOrigins.Contains("*");
    private readonly HashSet<string> _origins = new(options.Value.Cors.AllowedOrigins, StringComparer.OrdinalIgnoreCase);

    public Task InvokeAsync(HttpContext context)
    {
        if (!_cors.Enabled || !context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase)
            || context.Request.Headers.Origin is not [{ Length: > 0 } origin])
        {
            return next(context);
        }

        var allowed = _anyOrigin || _origins.Contains(origin);
        if (HttpMethods.IsOptions(context.Request.Method) && context.Request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod))
        {
            return AnswerPreflight(context, origin, allowed);
        }

        context.Response.OnStarting(static state =>
        {
            var (httpContext, origin, allowed) = ((HttpContext, string, bool))state;
            SetResponseHeaders(httpContext.Response.Headers, origin, allowed);
            return Task.CompletedTask;
        }, (context, origin, allowed));
        return next(context);
    }

    private Task AnswerPreflight(HttpContext context, string origin, bool allowed)
    {
        var headers = context.Response.Headers;
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        headers.Vary = HeaderNames.Origin;
        if (allowed)
        {
            headers.AccessControlAllowOrigin = _anyOrigin ? "*" : origin;
            headers.AccessControlAllowMethods = AllowedMethods;
            headers.AccessControlMaxAge = ((int)_cors.PreflightMaxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            if (context.Request.Headers.AccessControlRequestHeaders is { Count: > 0 } requested)
            {
                headers.AccessControlAllowHeaders = requested;
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Ours replace the provider's, whichever origin it allowed; a disallowed origin gets none at all.</summary>
    private static void SetResponseHeaders(IHeaderDictionary headers, string origin, bool allowed)
    {
        headers.Remove(HeaderNames.AccessControlAllowOrigin);
        headers.Remove(HeaderNames.AccessControlAllowCredentials);
        headers.Remove(HeaderNames.AccessControlExposeHeaders);
        if (!headers.Vary.Any(v => v?.Contains(HeaderNames.Origin, StringComparison.OrdinalIgnoreCase) == true))
        {
            headers.Vary = StringValues.Concat(headers.Vary, HeaderNames.Origin);
        }

        if (allowed)
        {
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlExposeHeaders = ExposedHeaders;
        }
    }
}
