using Microsoft.Extensions.Options;

namespace RefusalGate.Gateway.Observation;

/// <summary>Fails start-up with the setting named, instead of a capture or judging queue that throws on first use.</summary>
internal sealed class ObservationOptionsValidator : IValidateOptions<ObservationOptions>
{
    public ValidateOptionsResult Validate(string? name, ObservationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.MaxCapturedBytes < 1)
        {
            failures.Add("Observation:MaxCapturedBytes must be >= 1 (the detector needs some of the response).");
        }

        if (options.DetectorThreads < 0)
        {
            failures.Add("Observation:DetectorThreads must be >= 0 (0 = the runtime's default).");
        }

        if (options.QueueCapacity < 1)
        {
            failures.Add("Observation:QueueCapacity must be >= 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
