using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RefusalGate.Classification.Hosting;
using RefusalGate.Detection;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Inference.Hosting;

namespace RefusalGate.Cli.Commands;

/// <summary>The ONNX models outside the gateway (for <c>classify</c> and <c>detect</c>), configured like the gateway's.</summary>
internal static class ModelServices
{
    public static ServiceProvider Build(DirectoryInfo? modelsDirectory)
    {
        if (modelsDirectory is { Exists: false })
        {
            throw new CommandLineUsageException($"models folder '{modelsDirectory.FullName}' does not exist.");
        }

        var root = modelsDirectory?.FullName ?? ModelLocations.FindModelsDirectory()
            ?? throw new CommandLineUsageException("no onnx-models folder found: pass --models DIR or set REFUSALGATE_MODELS (build the encoder with onnx-models/build/build-encoder.sh).");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(ModelLocations.DefaultSettings(root))
            .AddEnvironmentVariables(GatewayHost.EnvironmentPrefix)
            .Build();

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        services.AddRefusalGateInference(configuration.GetSection("Inference"));
        services.AddRefusalGateClassifier(configuration.GetSection("Classifier"));
        services.AddRefusalGateDetector(options => configuration.GetSection(DetectorOptions.SectionName).Bind(options));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false });
    }
}
