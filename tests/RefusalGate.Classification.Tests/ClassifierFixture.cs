using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RefusalGate.Classification.Hosting;
using RefusalGate.Classification.Prediction;
using RefusalGate.Inference.Hosting;

namespace RefusalGate.Classification.Tests;

/// <summary>The real pipeline (ONNX Runtime, USE-lite encoder, committed head) wired the way the gateway wires it.</summary>
public sealed class ClassifierFixture : IAsyncLifetime
{
    private ServiceProvider? _provider;

    public IPromptClassifier Classifier => _provider!.GetRequiredService<IPromptClassifier>();

    public OnnxPromptClassifier Onnx => _provider!.GetRequiredService<OnnxPromptClassifier>();

    public Task InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Inference:ModelDirectory"] = RepositoryPaths.EncoderDirectory,
                ["Inference:IntraOpThreads"] = "1",
                ["Classifier:ManifestPath"] = RepositoryPaths.ClassifierManifest,
            })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRefusalGateInference(configuration.GetSection("Inference"));
        services.AddRefusalGateClassifier(configuration.GetSection("Classifier"));
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }
}
