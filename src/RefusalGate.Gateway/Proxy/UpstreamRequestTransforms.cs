using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.RequestIds;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace RefusalGate.Gateway.Proxy;

/// <summary>
/// Per-request adjustments around forwarding: the upstream's credentials, the request id both ways, and the gate's
/// response headers (set after YARP copies the upstream's, so they cannot be overwritten by it).
/// </summary>
internal sealed class UpstreamRequestTransforms(UpstreamCatalog catalog, IOptions<GatewayOptions> options) : ITransformProvider
{
    private readonly GatewayResponseHeaders _responseHeaders = options.Value.ResponseHeaders;

    public const string UpstreamRequestIdHeader = "x-upstream-request-id";

    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        context.AddRequestTransform(transform =>
        {
            var upstream = transform.HttpContext.GetReverseProxyFeature().Cluster.Config.ClusterId;
            if (catalog.TryGetApiKey(upstream, out var apiKey))
            {
                transform.ProxyRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            }

            var requestId = transform.HttpContext.GetRequestId();
            transform.ProxyRequest.Headers.Remove(RequestIdMiddleware.HeaderName);
            transform.ProxyRequest.Headers.TryAddWithoutValidation(RequestIdMiddleware.HeaderName, requestId);
            return ValueTask.CompletedTask;
        });

        context.AddResponseTransform(transform =>
        {
            var headers = transform.HttpContext.Response.Headers;
            var upstreamRequestId = headers[RequestIdMiddleware.HeaderName];
            if (upstreamRequestId.Count > 0 && upstreamRequestId != transform.HttpContext.GetRequestId())
            {
                headers[UpstreamRequestIdHeader] = upstreamRequestId;
            }

            headers[RequestIdMiddleware.HeaderName] = transform.HttpContext.GetRequestId();
            if (transform.HttpContext.Features.Get<GateContext>() is { } gate)
            {
                gate.WriteHeaders(headers);
            }
            else if (_responseHeaders != GatewayResponseHeaders.None)
            {
                // Not a completion request (e.g. GET /v1/models): nothing to judge, so it passes.
                headers[GateContext.DecisionHeader] = GateContext.DefaultDecision;
            }

            return ValueTask.CompletedTask;
        });
    }
}
