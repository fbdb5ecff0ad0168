using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RefusalGate.Classification.Hosting;
using RefusalGate.Classification.Prediction;
using RefusalGate.Inference.Hosting;

namespace RefusalGate.Classification.Tests;

/// <summary>
/// The real pipeline (ONNX Runtime, USE-lite encoder, committed head) wired the way the gateway wires it, at the
/// default encoder precision (int8).
/// </summary>
public class ClassifierFixture : IAsyncLifetime
{
    private readonly string? _precision;
    private ServiceProvider? _provider;

    public ClassifierFixture()
    {
    }

    protected ClassifierFixture(string precision) => _precision = precision;

    public IPromptClassifier Classifier => _provider!.GetRequiredService<IPromptClassifier>();

    public OnnxPromptClassifier Onnx => _provider!.GetRequiredService<OnnxPromptClassifier>();

    public Task InitializeAsync()
    {
        _provider = BuildProvider(_precision);
        return Task.CompletedTask;
    }

    /// <summary>The services the gateway registers for classification, over the repository's models.</summary>
    internal static ServiceProvider BuildProvider(string? precision = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Inference:ModelDirectory"] = RepositoryPaths.EncoderDirectory,
            ["Inference:IntraOpThreads"] = "1",
            ["Classifier:ManifestPath"] = RepositoryPaths.ClassifierManifest,
        };
        if (precision is not null)
        {
            settings["Inference:Precision"] = precision;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRefusalGateInference(configuration.GetSection("Inference"));
        services.AddRefusalGateClassifier(configuration.GetSection("Classifier"));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public async Task DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }
}

/// <summary>The same pipeline on the fp32 encoder, the one the python training pipeline mirrors.</summary>
public sealed class Fp32ClassifierFixture : ClassifierFixture
{
    public Fp32ClassifierFixture()
        : base("fp32")
    {
    }
}
