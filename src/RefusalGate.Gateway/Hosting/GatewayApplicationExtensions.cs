using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RefusalGate.Gateway.Errors;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.Health;
using RefusalGate.Gateway.RequestIds;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Hosting;

public static class GatewayApplicationExtensions
{
    /// <summary>Where Prometheus scrapes; deployment manifests annotate pods with it.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// The request path: request ids first, health endpoints, the OpenAI API through YARP with the gate before
    /// forwarding, and an OpenAI-style 404 for everything else.
    /// </summary>
    public static WebApplication MapRefusalGate(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.MapHealthEndpoints();
        app.MapGet(MetricsPath, (PrometheusMetricsCollector metrics) => Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapReverseProxy(proxy => proxy.UseMiddleware<GateMiddleware>());
        app.MapFallback(context => OpenAiError.RouteNotFound(context.Request.Method, context.Request.Path).WriteAsync(context));
        return app;
    }
}
