using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using RefusalGate.Gateway.Configuration;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace RefusalGate.Gateway.Proxy;

/// <summary>
/// Turns the configured upstreams into YARP's model: one cluster per upstream and one route for the OpenAI API surface.
/// The route points at the default upstream; the gate re-targets each request to the upstream that serves its model.
/// </summary>
internal sealed class GatewayProxyConfigProvider(UpstreamCatalog catalog, IOptions<GatewayOptions> options) : IProxyConfigProvider
{
    public const string ApiRouteId = "openai-api";

    private readonly GatewayProxyConfig _config = Build(catalog, options.Value);

    public IProxyConfig GetConfig() => _config;

    private static GatewayProxyConfig Build(UpstreamCatalog catalog, GatewayOptions options)
    {
        var clusters = catalog.Upstreams.Select(u => new ClusterConfig
        {
            ClusterId = u.Key,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                // The base URL carries the version segment (".../v1"); the route strips "/v1" from the request path.
                [u.Key] = new() { Address = u.Value.BaseUrl.TrimEnd('/') + "/" },
            },
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = u.Value.Timeout },
        }).ToList();

        var route = new RouteConfig
        {
            RouteId = ApiRouteId,
            ClusterId = catalog.DefaultUpstream,
            Match = new RouteMatch { Path = "/v1/{**rest}" },
            Transforms = [new Dictionary<string, string> { ["PathRemovePrefix"] = "/v1" }, .. ClientDetailTransforms(options)],
        };

        return new GatewayProxyConfig([route], clusters);
    }

    /// <summary>What the upstream is not told about the client unless configured (see the options' comments for why).</summary>
    private static IEnumerable<Dictionary<string, string>> ClientDetailTransforms(GatewayOptions options)
    {
        if (!options.ForwardClientAddresses)
        {
            // YARP sets X-Forwarded-* on every route unless told otherwise; "Remove" also drops the ones that came in.
            yield return new() { ["X-Forwarded"] = "Remove" };
            yield return new() { ["RequestHeaderRemove"] = "Forwarded" };
            yield return new() { ["RequestHeaderRemove"] = "X-Real-IP" };
        }

        if (!options.ForwardCookies)
        {
            yield return new() { ["RequestHeaderRemove"] = "Cookie" };
        }
    }

    private sealed class GatewayProxyConfig(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters) : IProxyConfig
    {
        public IReadOnlyList<RouteConfig> Routes { get; } = routes;

        public IReadOnlyList<ClusterConfig> Clusters { get; } = clusters;

        // Upstreams change with a restart (a new ConfigMap rolls the pod); policies reload live (their own watcher).
        public IChangeToken ChangeToken { get; } = NullChangeToken.Singleton;
    }
}
