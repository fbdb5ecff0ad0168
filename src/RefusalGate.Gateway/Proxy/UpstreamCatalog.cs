using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.Proxy;

/// <summary>
/// The configured upstreams, indexed for the two questions the request path asks: which upstream serves this model,
/// and which key (if any) to present to it. Keys are resolved once at start-up and never leave this type.
/// </summary>
public sealed class UpstreamCatalog
{
    private readonly (string Pattern, string Upstream, int Specificity)[] _patterns;
    private readonly Dictionary<string, string> _apiKeys = new(StringComparer.OrdinalIgnoreCase);

    public UpstreamCatalog(IOptions<GatewayOptions> options)
    {
        Upstreams = options.Value.Upstreams;
        _patterns = Upstreams
            .SelectMany(u => u.Value.EffectiveModels.Select(p => (p, u.Key, ModelGlob.Specificity(p))))
            .OrderByDescending(p => p.Item3)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .ToArray();

        foreach (var (name, upstream) in Upstreams)
        {
            var key = upstream.ApiKeyEnvironmentVariable is { Length: > 0 } variable
                ? Environment.GetEnvironmentVariable(variable)
                : upstream.ApiKey;
            if (!string.IsNullOrEmpty(key))
            {
                _apiKeys[name] = key;
            }
        }
    }

    public IReadOnlyDictionary<string, UpstreamOptions> Upstreams { get; }

    /// <summary>The upstream for a model, or null when no upstream's patterns match it.</summary>
    public string? FindUpstream(string model)
    {
        foreach (var (pattern, upstream, _) in _patterns)
        {
            if (ModelGlob.IsMatch(pattern, model))
            {
                return upstream;
            }
        }

        return null;
    }

    /// <summary>
    /// The upstream for requests that name no model (e.g. <c>GET /v1/models</c>): the catch-all that serves models
    /// (of several, the one <see cref="FindUpstream"/> picks, so both kinds of request reach the same upstream), else
    /// the upstream of the least specific pattern.
    /// </summary>
    public string DefaultUpstream => _patterns.FirstOrDefault(p => p.Pattern == "*").Upstream ?? _patterns[^1].Upstream;

    internal bool TryGetApiKey(string upstream, out string apiKey) => _apiKeys.TryGetValue(upstream, out apiKey!);
}
