using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RefusalGate.Classification.Manifest;
using RefusalGate.Classification.Prediction;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Runtime;

namespace RefusalGate.Classification.Hosting;

public static class ClassificationServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IPromptClassifier"/> (the ONNX head on top of the <see cref="ISentenceEncoder"/>
    /// that <c>AddRefusalGateInference</c> registers; call that too). The manifest and the head's sha256 are
    /// checked when the classifier is first resolved. Uses TryAdd so hosts and tests can substitute pieces.
    /// </summary>
    public static IServiceCollection AddRefusalGateClassifier(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ClassifierOptions>().Bind(configuration);
        return services.AddRefusalGateClassifierCore();
    }

    /// <summary>As <see cref="AddRefusalGateClassifier(IServiceCollection, IConfiguration)"/>, configured in code.</summary>
    public static IServiceCollection AddRefusalGateClassifier(this IServiceCollection services, Action<ClassifierOptions>? configure = null)
    {
        var builder = services.AddOptions<ClassifierOptions>();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return services.AddRefusalGateClassifierCore();
    }

    private static IServiceCollection AddRefusalGateClassifierCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => ClassifierManifestLoader.Load(sp.GetRequiredService<IOptions<ClassifierOptions>>().Value.ManifestPath));
        services.TryAddSingleton(sp =>
        {
            var manifest = sp.GetRequiredService<LoadedClassifierManifest>();
            var classifier = new OnnxPromptClassifier(sp.GetRequiredService<ISentenceEncoder>(), sp.GetRequiredService<IInferenceSessionFactory>(), manifest);
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger(typeof(OnnxPromptClassifier).FullName!);
            if (logger is not null)
            {
                ClassificationLog.ClassifierLoaded(logger, manifest.Manifest.Name, manifest.Manifest.Version, manifest.HeadPath,
                    manifest.Manifest.Categories.Count, manifest.Manifest.DecisionThreshold);
            }

            return classifier;
        });
        services.TryAddSingleton<IPromptClassifier>(sp => sp.GetRequiredService<OnnxPromptClassifier>());
        return services;
    }
}
