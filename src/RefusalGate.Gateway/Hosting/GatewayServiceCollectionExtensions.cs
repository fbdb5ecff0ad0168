using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RefusalGate.Classification.Hosting;
using RefusalGate.Detection;
using RefusalGate.Gateway.Calibration;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.Gate.Stages;
using RefusalGate.Gateway.Health;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.OutcomeLog;
using RefusalGate.Gateway.Policies;
using RefusalGate.Gateway.Policies.SelfPrediction;
using RefusalGate.Gateway.Proxy;
using RefusalGate.Gateway.Recalibration;
using RefusalGate.Gateway.Telemetry;
using RefusalGate.Inference.Hosting;
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

        services.AddMetrics();
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton<PrometheusMetricsCollector>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MetricsCollectorStartup>());
        services.AddOtlpExportIfConfigured(configuration);
        services.TryAddSingleton<GatePipeline>();
        services.TryAddSingleton<PassThroughRoutes>();
        services.AddGateStage<ModelAccessStage>();
        services.AddGateStage<UpstreamRoutingStage>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadinessCheck, ConfigurationReadinessCheck>());

        services.AddModels(configuration);
        services.AddObservation(configuration);
        return services;
    }

    /// <summary>The encoder, the prompt classifier (a gate stage) and the response refusal detector, all ONNX.</summary>
    private static void AddModels(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRefusalGateInference(configuration.GetSection("Inference"));
        services.TryAddSingleton<DetectionEncoder>();
        services.TryAddSingleton<IResponseRefusalDetector>(sp => OnnxResponseRefusalDetector.Create(
            sp.GetRequiredService<DetectionEncoder>().Encoder,
            sp.GetRequiredService<IOptions<DetectorOptions>>().Value.ModelDirectory));
        services.AddRefusalGateDetector(options => configuration.GetSection(DetectorOptions.SectionName).Bind(options));
        if (configuration.GetValue("Classifier:Enabled", defaultValue: true))
        {
            services.AddRefusalGateClassifier(configuration.GetSection("Classifier"));
            services.AddGateStage<ClassificationStage>();
            if (configuration.GetValue($"{PolicyOptions.SectionName}:Enabled", defaultValue: true))
            {
                services.AddPolicies(configuration);
            }
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IReadinessCheck, ModelReadinessCheck>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ModelStartupCheck>());
    }

    /// <summary>
    /// The policy stage and the self-prediction cascade. The store loads the policies when the watcher (a hosted service)
    /// starts, so an invalid policy stops the gateway at start-up.
    /// </summary>
    private static void AddPolicies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<PolicyOptions, PolicyOptionsValidator>(configuration, PolicyOptions.SectionName);
        services.TryAddSingleton<PolicyMetrics>();
        services.TryAddSingleton<PolicyStore>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PolicyFileWatcher>());
        services.AddHttpClient(IntrospectionClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        services.TryAddSingleton<IntrospectionClient>();
        services.TryAddSingleton<VerdictCache>();
        services.TryAddSingleton<TenantBudgets>();
        services.TryAddSingleton<SelfPredictor>();
        services.TryAddSingleton<PredictionFusion>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutcomeSink, PredictionFusion>(sp => sp.GetRequiredService<PredictionFusion>()));
        services.AddGateStage<PolicyStage>();
    }

    /// <summary>The settings of observation, calibration, the outcome log and recalibration, each checked at start-up.</summary>
    internal static IServiceCollection AddRefusalGateObservabilityOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ObservationOptions, ObservationOptionsValidator>(configuration, ObservationOptions.SectionName);
        services.AddValidatedOptions<CalibrationOptions, CalibrationOptionsValidator>(configuration, CalibrationOptions.SectionName);
        services.AddValidatedOptions<OutcomeLogOptions, OutcomeLogOptionsValidator>(configuration, OutcomeLogOptions.SectionName);
        services.AddValidatedOptions<RecalibrationOptions, RecalibrationOptionsValidator>(configuration, RecalibrationOptions.SectionName);
        return services;
    }

    internal static void AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }

    /// <summary>Judging responses after they reach the client, and where the outcomes go.</summary>
    private static void AddObservation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRefusalGateObservabilityOptions(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ObservationQueue>();
        services.TryAddSingleton<OutcomeJudge>();
        services.TryAddSingleton<PromptRecorder>();
        services.TryAddSingleton<CalibrationAggregator>();
        services.TryAddSingleton<CalibrationMetrics>();
        services.TryAddSingleton<CalibrationCounters>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutcomeSink, CalibrationAggregator>(sp => sp.GetRequiredService<CalibrationAggregator>()));
        services.TryAddSingleton<InMemoryOutcomeStore>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutcomeSink, InMemoryOutcomeStore>(sp => sp.GetRequiredService<InMemoryOutcomeStore>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OutcomeProcessor>());

        services.TryAddSingleton<RedisConnection>();

        services.TryAddSingleton<Recalibrator>();
        services.TryAddSingleton<RecalibrationMetrics>();
        if (configuration.GetValue($"{RecalibrationOptions.SectionName}:Enabled", defaultValue: false))
        {
            services.TryAddSingleton<RecalibrationSamples>();
            services.TryAddSingleton<RecalibrationService>();
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<RecalibrationService>());
        }
        if (!string.IsNullOrWhiteSpace(configuration[$"{OutcomeLogOptions.SectionName}:Redis"]))
        {
            services.TryAddSingleton<RedisOutcomeWriter>();
            services.AddSingleton<IOutcomeSink>(sp => sp.GetRequiredService<RedisOutcomeWriter>());
            services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<RedisOutcomeWriter>());
            services.AddSingleton<IReadinessCheck>(sp => sp.GetRequiredService<RedisOutcomeWriter>());
        }
    }

    /// <summary>Registers a gate stage; stages run in their <see cref="IGateStage.Order"/>.</summary>
    public static IServiceCollection AddGateStage<TStage>(this IServiceCollection services)
        where TStage : class, IGateStage
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IGateStage, TStage>());
        return services;
    }
}
