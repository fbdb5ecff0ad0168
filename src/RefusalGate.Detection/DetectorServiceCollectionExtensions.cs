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
    /// project's). The files are verified at host start (ValidateOnStart) and again when the detector is first
    /// resolved; a missing or altered file fails with a message naming the file and the fix.
    /// </summary>
    public static IServiceCollection AddRefusalGateDetector(this IServiceCollection services, Action<DetectorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<DetectorOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DetectorOptions>, DetectorOptionsValidator>());
        services.TryAddSingleton<IResponseRefusalDetector>(sp => OnnxResponseRefusalDetector.Create(
            sp.GetRequiredService<ISentenceEncoder>(),
            sp.GetRequiredService<IOptions<DetectorOptions>>().Value.ModelDirectory));
        return services;
    }
}
