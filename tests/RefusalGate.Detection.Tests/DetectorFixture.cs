using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RefusalGate.Inference.Hosting;

namespace RefusalGate.Detection.Tests;

/// <summary>
/// One real detector (real USE-lite encoder at the default precision, int8; real ONNX head) shared by the tests, built
/// the way the gateway builds it.
/// </summary>
public class DetectorFixture : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public DetectorFixture()
        : this(null)
    {
    }

    protected DetectorFixture(string? precision)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ModelDirectory"] = Path.Combine(RepositoryFiles.Root, "onnx-models", "encoder"),
            ["IntraOpThreads"] = "1",
        };
        if (precision is not null)
        {
            settings["Precision"] = precision;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _services = new ServiceCollection()
            .AddLogging()
            .AddRefusalGateInference(configuration)
            .AddRefusalGateDetector(o => o.ModelDirectory = RepositoryFiles.DetectorDirectory)
            .BuildServiceProvider();
        Detector = _services.GetRequiredService<IResponseRefusalDetector>();
    }

    public IResponseRefusalDetector Detector { get; }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The same detector on the fp32 encoder, the one the python training pipeline mirrors.</summary>
public sealed class Fp32DetectorFixture : DetectorFixture
{
    public Fp32DetectorFixture()
        : base("fp32")
    {
    }
}

[CollectionDefinition(Name)]
public sealed class DetectorTestGroup : ICollectionFixture<DetectorFixture>
{
    public const string Name = "detector";
}
