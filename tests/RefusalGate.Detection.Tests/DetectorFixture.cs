using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RefusalGate.Inference.Hosting;

namespace RefusalGate.Detection.Tests;

/// <summary>One real detector (real USE-lite encoder, real ONNX head) shared by the tests, built the way the gateway builds it.</summary>
public sealed class DetectorFixture : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public DetectorFixture()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ModelDirectory"] = Path.Combine(RepositoryFiles.Root, "onnx-models", "encoder"),
                ["IntraOpThreads"] = "1",
            })
            .Build();
        _services = new ServiceCollection()
            .AddLogging()
            .AddRefusalGateInference(configuration)
            .AddRefusalGateDetector(o => o.ModelDirectory = RepositoryFiles.DetectorDirectory)
            .BuildServiceProvider();
        Detector = _services.GetRequiredService<IResponseRefusalDetector>();
    }

    public IResponseRefusalDetector Detector { get; }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class DetectorTestGroup : ICollectionFixture<DetectorFixture>
{
    public const string Name = "detector";
}
