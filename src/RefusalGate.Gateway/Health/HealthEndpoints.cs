using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace RefusalGate.Gateway.Health;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: every <see cref="IReadinessCheck"/> passes.</summary>
public static class HealthEndpoints
{
    /// <summary>Liveness path; deployment manifests probe it (tests/RefusalGate.Cli.Tests/Deployment checks them).</summary>
    public const string LivenessPath = "/healthz";

    /// <summary>Readiness path: 503 until the configuration is valid and the models have warmed up.</summary>
    public const string ReadinessPath = "/readyz";

    /// <summary>
    /// The methods the gateway's read-only endpoints answer: GET, and HEAD, which is GET without the body (RFC 9110,
    /// 9.3.2; uptime checkers and load balancers probe with it). Kestrel sends no body to a HEAD request.
    /// </summary>
    public static readonly string[] ReadOnlyMethods = [HttpMethods.Get, HttpMethods.Head];

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(LivenessPath, ReadOnlyMethods, () => Results.Json(new { status = "alive" }));
        endpoints.MapMethods(ReadinessPath, ReadOnlyMethods, (IEnumerable<IReadinessCheck> checks) =>
        {
            var results = checks.ToDictionary(c => c.Name, c => c.Check());
            var ready = results.Values.All(r => r.IsReady);
            return Results.Json(
                new
                {
                    status = ready ? "ready" : "not_ready",
                    checks = results.ToDictionary(r => r.Key, r => new { ready = r.Value.IsReady, detail = r.Value.Detail }),
                },
                statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }
}
