using Microsoft.Extensions.DependencyInjection;

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

    private sealed class FixedDetector : IResponseRefusalDetector
    {
        public ValueTask<RefusalDetection> DetectAsync(string response, string? prompt, CancellationToken cancellationToken) =>
            ValueTask.FromResult(RefusalDetection.EmptyResponse);
    }
}
