using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.Gate.Stages;
using RefusalGate.Gateway.Health;
using RefusalGate.Gateway.Proxy;
using Yarp.ReverseProxy.Configuration;

namespace RefusalGate.Gateway.Hosting;

public static class GatewayServiceCollectionExtensions
{
    /// <summary>
    /// The gateway's services: options (validated at start), upstream catalog, YARP with our config provider and
    /// transforms, the gate pipeline with its built-in stages, and readiness checks. Uses TryAdd so callers can replace parts.
    /// </summary>
    public static IServiceCollection AddRefusalGate(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayOptions>()
            .Bind(configuration.GetSection(GatewayOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());

        services.TryAddSingleton<UpstreamCatalog>();
        services.TryAddSingleton<IProxyConfigProvider, GatewayProxyConfigProvider>();
        services.AddReverseProxy().AddTransforms<UpstreamRequestTransforms>();

        services.TryAddSingleton<GatePipeline>();
        services.AddGateStage<ModelAccessStage>();
        services.AddGateStage<UpstreamRoutingStage>();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadinessCheck, ConfigurationReadinessCheck>());
        return services;
    }

    /// <summary>Registers a gate stage; stages run in their <see cref="IGateStage.Order"/>.</summary>
    public static IServiceCollection AddGateStage<TStage>(this IServiceCollection services)
        where TStage : class, IGateStage
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGateStage, TStage>());
        return services;
    }
}
