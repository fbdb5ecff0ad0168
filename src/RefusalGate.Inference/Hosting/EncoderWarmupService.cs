using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RefusalGate.Inference.Encoding;

namespace RefusalGate.Inference.Hosting;

/// <summary>Loads the encoder and runs every padding bucket once, then marks <see cref="InferenceReadiness"/> ready.</summary>
public sealed class EncoderWarmupService : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly InferenceReadiness _readiness;
    private readonly IOptions<InferenceOptions> _options;
    private readonly ILogger<EncoderWarmupService> _logger;

    public EncoderWarmupService(IServiceProvider services, InferenceReadiness readiness, IOptions<InferenceOptions> options, ILogger<EncoderWarmupService> logger)
    {
        _services = services;
        _readiness = readiness;
        _options = options;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the start-up path: the host starts listening (and answers /readyz with "not ready") meanwhile.
        await Task.Yield();
        try
        {
            var watch = Stopwatch.StartNew();
            var encoder = _services.GetRequiredService<UseLiteSentenceEncoder>();
            encoder.WarmUp();
            HostingLog.WarmedUp(_logger, encoder.ExecutionProvider, string.Join('/', _options.Value.EffectiveLengthBuckets), watch.ElapsedMilliseconds);
            _readiness.MarkReady(encoder.ExecutionProvider);
        }
        catch (ObjectDisposedException)
        {
            // The services are being disposed under the warm-up (the host failed to start or is stopping): nothing
            // will be served, so there is nothing to report; the host's own failure is what the user sees.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            HostingLog.WarmUpFailed(_logger, e);
            _readiness.MarkFailed(e.Message);
        }
    }
}
