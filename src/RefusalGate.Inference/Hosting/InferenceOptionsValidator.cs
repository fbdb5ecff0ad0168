using Microsoft.Extensions.Options;
using RefusalGate.Inference.Encoding;

namespace RefusalGate.Inference.Hosting;

/// <summary>Fails start-up with a precise message instead of at the first request.</summary>
public sealed class InferenceOptionsValidator : IValidateOptions<InferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.ExecutionProvider is not ("cpu" or "cuda"))
        {
            failures.Add($"Inference:ExecutionProvider must be \"cpu\" or \"cuda\", not \"{options.ExecutionProvider}\".");
        }

        if (options.Precision is not ("fp32" or "int8"))
        {
            failures.Add($"Inference:Precision must be \"fp32\" or \"int8\", not \"{options.Precision}\".");
        }

        if (options.IntraOpThreads < 0 || options.InterOpThreads < 0)
        {
            failures.Add("Inference:IntraOpThreads and InterOpThreads must be >= 0 (0 = runtime default).");
        }

        if (options.MaxBatchSize is < 1 or > 1024)
        {
            failures.Add("Inference:MaxBatchSize must be between 1 and 1024.");
        }

        if (options.MaxQueueDelay < TimeSpan.Zero || options.MaxQueueDelay > TimeSpan.FromSeconds(1))
        {
            failures.Add("Inference:MaxQueueDelay must be between 0 and 1 second.");
        }

        if (options.BatchWorkers < 1 || options.QueueCapacity < 1)
        {
            failures.Add("Inference:BatchWorkers and QueueCapacity must be >= 1.");
        }

        var buckets = options.EffectiveLengthBuckets;
        if (buckets.Any(b => b < 1) || buckets.Max() != LongInputWindows.WindowTokens)
        {
            failures.Add($"Inference:LengthBuckets must be positive and its largest value must be {LongInputWindows.WindowTokens}.");
        }

        foreach (var file in new[] { UseLiteModelFiles.ModelFileFor(options.Precision ?? InferenceOptions.DefaultPrecision), UseLiteModelFiles.VocabularyFileName })
        {
            var path = Path.GetFullPath(Path.Combine(options.ModelDirectory ?? string.Empty, file));
            if (!File.Exists(path))
            {
                failures.Add($"Model file '{path}' does not exist. {UseLiteModelFiles.BuildHint}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
