using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RefusalGate.Inference.Batching;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Runtime;
using RefusalGate.Inference.Tokenization;

namespace RefusalGate.Inference.Hosting;

public static class InferenceServiceCollectionExtensions
{
    /// <summary>
    /// Registers the inference engine: options (validated at start, including that the model files
    /// exist), one shared ONNX Runtime session per model, the USE-lite tokenizer and encoder
    /// (<see cref="ISentenceEncoder"/>), and a warm-up service that flips <see cref="InferenceReadiness"/>.
    /// Uses TryAdd so a host or a test can substitute any piece.
    /// </summary>
    public static IServiceCollection AddRefusalGateInference(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<InferenceOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InferenceOptions>, InferenceOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InferenceReadiness>();
        services.TryAddSingleton<IInferenceSessionFactory>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<InferenceOptions>>().Value;
            return new OnnxRuntimeSessionFactory(options.ToSessionSettings(), sp.GetRequiredService<ILogger<OnnxRuntimeSession>>());
        });
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<InferenceOptions>>().Value;
            var path = Path.Combine(options.ModelDirectory, UseLiteModelFiles.VocabularyFileName);
            ModelFileNotFoundException.ThrowIfMissing(path, UseLiteModelFiles.BuildHint);
            return UseSentencePieceTokenizer.FromVocabularyFile(path);
        });
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<InferenceOptions>>().Value
            .CreateEncoder(sp.GetRequiredService<IInferenceSessionFactory>(), sp.GetRequiredService<UseSentencePieceTokenizer>()));
        services.TryAddSingleton<ISentenceEncoder>(sp => sp.GetRequiredService<UseLiteSentenceEncoder>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, EncoderWarmupService>());
        return services;
    }
}
