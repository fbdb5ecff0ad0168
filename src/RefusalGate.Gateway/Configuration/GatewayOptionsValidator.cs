using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Gate;

namespace RefusalGate.Gateway.Configuration;

/// <summary>Checks the gateway configuration at start-up and reports every problem at once.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        if (options.MaxRequestBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            errors.Add($"Gateway:MaxRequestBodyBytes must be between 1 KiB and 64 MiB (was {options.MaxRequestBodyBytes}).");
        }

        foreach (var origin in options.Cors.AllowedOrigins.Where(o => o != "*" && !IsOrigin(o)))
        {
            errors.Add($"Gateway:Cors:AllowedOrigins entries must be an origin such as https://app.example.com (scheme, host and optional port, no path) or * (was '{origin}').");
        }

        if (options.Cors.PreflightMaxAge < TimeSpan.Zero)
        {
            errors.Add("Gateway:Cors:PreflightMaxAge must not be negative.");
        }

        if (options.Upstreams.Count == 0)
        {
            errors.Add("Gateway:Upstreams is empty: configure at least one upstream, pass --upstream URL, or run with --demo.");
        }

        foreach (var (upstreamName, upstream) in options.Upstreams)
        {
            var prefix = $"Gateway:Upstreams:{upstreamName}";
            if (!Uri.TryCreate(upstream.BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{prefix}:BaseUrl must be an absolute http(s) URL such as https://api.openai.com/v1 (was '{upstream.BaseUrl}').");
            }

            if (upstream.Models.Any(string.IsNullOrWhiteSpace))
            {
                errors.Add($"{prefix}:Models must not contain empty entries.");
            }

            if (upstream.Timeout <= TimeSpan.Zero)
            {
                errors.Add($"{prefix}:Timeout must be positive (was {upstream.Timeout}).");
            }

            if (upstream.ApiKeyEnvironmentVariable is { Length: > 0 } variable && Environment.GetEnvironmentVariable(variable) is null)
            {
                errors.Add($"{prefix}:ApiKeyEnvironmentVariable names '{variable}', which is not set.");
            }
        }

        AddRouteErrors(errors, "Gateway:PassThrough:Allow", options.PassThrough.Allow);
        AddRouteErrors(errors, "Gateway:PassThrough:Deny", options.PassThrough.Deny);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Each malformed pass-through entry, named by its key as configured (<c>Gateway:PassThrough:Allow:2</c>).</summary>
    private static void AddRouteErrors(List<string> errors, string key, List<string> entries)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (!PassThroughRoute.TryParse(entries[i], out _, out var problem))
            {
                errors.Add($"{key}:{i} {problem} (was '{entries[i]}').");
            }
        }
    }

    private static bool IsOrigin(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.GetLeftPart(UriPartial.Authority).Equals(value, StringComparison.OrdinalIgnoreCase); // as browsers send it: no path, no default port
}
