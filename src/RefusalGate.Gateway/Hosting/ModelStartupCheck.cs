using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RefusalGate.Classification.Prediction;
using RefusalGate.Detection;

namespace RefusalGate.Gateway.Hosting;

/// <summary>
/// Loads the classifier and detector models while the host starts, so a missing or corrupt model file stops start-up
/// with the loader's message (which names the file and how to rebuild it) instead of failing the first request.
/// </summary>
internal sealed class ModelStartupCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetService<IPromptClassifier>();
        _ = services.GetService<IResponseRefusalDetector>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
