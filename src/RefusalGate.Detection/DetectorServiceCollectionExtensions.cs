using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RefusalGate.Inference.Encoding;

namespace RefusalGate.Detection;

public static class DetectorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the ONNX response refusal detector as a singleton <see cref="IResponseRefusalDetector"/> (TryAdd, so a
    /// caller can register its own first). Needs an <see cref="ISentenceEncoder"/> registration (the inference
    /// project's). The model is loaded and verified on first resolution; a missing or altered file throws
    /// <see cref="Model.DetectorModelException"/> naming the file and the fix.
    /// </summary>
    public static IServiceCollection AddRefusalGateDetector(this IServiceCollection services, Action<DetectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DetectorOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => !string.IsNullOrWhiteSpace(o.ModelDirectory), "RefusalGate:Detector:ModelDirectory must name the detector model folder.");
        services.TryAddSingleton<IResponseRefusalDetector>(sp => OnnxResponseRefusalDetector.Create(
            sp.GetRequiredService<ISentenceEncoder>(),
            sp.GetRequiredService<IOptions<DetectorOptions>>().Value.ModelDirectory));
        return services;
    }
}
