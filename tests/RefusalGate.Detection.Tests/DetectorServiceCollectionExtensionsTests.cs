using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace RefusalGate.Detection.Tests;

public sealed class DetectorServiceCollectionExtensionsTests
{
    [Fact]
    public void Keeps_a_detector_registered_before_it()
    {
        var own = new FixedDetector();
        using var services = new ServiceCollection()
            .AddSingleton<IResponseRefusalDetector>(own)
            .AddRefusalGateDetector()
            .BuildServiceProvider();

        services.GetRequiredService<IResponseRefusalDetector>().ShouldBeSameAs(own);
    }

    [Fact]
    public void Options_validation_names_a_missing_manifest()
    {
        var missing = Path.Combine(Path.GetTempPath(), "refusalgate-no-detector-" + Guid.NewGuid().ToString("N"));
        using var services = new ServiceCollection()
            .AddRefusalGateDetector(o => o.ModelDirectory = missing)
            .BuildServiceProvider();

        var exception = Should.Throw<OptionsValidationException>(() => services.GetRequiredService<IOptions<DetectorOptions>>().Value);

        exception.Message.ShouldContain(Path.Combine(missing, "manifest.json"));
    }

    [Fact]
    public void Options_validation_accepts_the_committed_model()
    {
        using var services = new ServiceCollection()
            .AddRefusalGateDetector(o => o.ModelDirectory = RepositoryFiles.DetectorDirectory)
            .BuildServiceProvider();

        services.GetRequiredService<IOptions<DetectorOptions>>().Value.ModelDirectory.ShouldBe(RepositoryFiles.DetectorDirectory);
    }

    private sealed class FixedDetector : IResponseRefusalDetector
    {
        public ValueTask<RefusalDetection> DetectAsync(string response, string? prompt, CancellationToken cancellationToken) =>
            ValueTask.FromResult(RefusalDetection.EmptyResponse);
    }
}
