using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RefusalGate.Gateway.Cors;
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

    /// <summary>The gateway's own read-only endpoints (health and metrics): GET and HEAD only.</summary>
    private static readonly string[] ReadOnlyPaths = [HealthEndpoints.LivenessPath, HealthEndpoints.ReadinessPath, MetricsPath];

    /// <summary>
    /// The request path: request ids first, health endpoints, the OpenAI API through YARP with the gate before
    /// forwarding, and OpenAI-style errors for everything else: a 405 for another method on a read-only endpoint (the
    /// fallback would otherwise claim it as an unknown route), a 404 for an unknown route.
    /// </summary>
    public static WebApplication MapRefusalGate(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMiddleware<GatewayCorsMiddleware>();
        app.MapHealthEndpoints();
        app.MapMethods(MetricsPath, HealthEndpoints.ReadOnlyMethods, (PrometheusMetricsCollector metrics) => Results.Text(metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        app.MapReverseProxy(proxy => proxy.UseMiddleware<GateMiddleware>());
        app.MapFallback(context =>
        {
            var (method, path) = (context.Request.Method, context.Request.Path);

            // Routing matches these paths with a trailing slash too (GET /healthz/ is answered), so another method on that
            // spelling is the same 405, not an unknown route.
            var withoutTrailingSlash = path.Value is { Length: > 1 } value && value.EndsWith('/') ? value[..^1] : path.Value;
            if (ReadOnlyPaths.Any(p => string.Equals(withoutTrailingSlash, p, StringComparison.OrdinalIgnoreCase)))
            {
                var allowed = string.Join(", ", HealthEndpoints.ReadOnlyMethods);
                context.Response.Headers.Allow = allowed;
                return OpenAiError.MethodNotAllowed(method, path, allowed).WriteAsync(context);
            }

            return OpenAiError.RouteNotFound(method, path).WriteAsync(context);
        });
        return app;
    }
}
