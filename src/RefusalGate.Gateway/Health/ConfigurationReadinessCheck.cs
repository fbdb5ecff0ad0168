using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.Health;

/// <summary>Ready once the gateway options have been validated (invalid options stop start-up before this runs).</summary>
internal sealed class ConfigurationReadinessCheck(IOptions<GatewayOptions> options) : IReadinessCheck
{
    public string Name => "configuration";

    public ReadinessResult Check() =>
        new(true, $"{options.Value.Upstreams.Count} upstream(s): {string.Join(", ", options.Value.Upstreams.Keys)}");
}
