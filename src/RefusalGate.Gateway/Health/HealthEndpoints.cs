using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace RefusalGate.Gateway.Health;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: every <see cref="IReadinessCheck"/> passes.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Json(new { status = "alive" }));
        endpoints.MapGet("/readyz", (IEnumerable<IReadinessCheck> checks) =>
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
