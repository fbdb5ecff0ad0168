using Microsoft.Extensions.Options;

namespace RefusalGate.Gateway.Recalibration;

/// <summary>Fails start-up with a precise message instead of a fit loop that fails or does nothing every interval.</summary>
internal sealed class RecalibrationOptionsValidator : IValidateOptions<RecalibrationOptions>
{
    public ValidateOptionsResult Validate(string? name, RecalibrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Interval <= TimeSpan.Zero)
        {
            failures.Add("Recalibration:Interval must be positive.");
        }

        if (options.MaxSamples < 1 || options.MinSamples < 2 || options.MinCategorySamples < 2)
        {
            failures.Add("Recalibration:MaxSamples must be >= 1, and MinSamples and MinCategorySamples >= 2 (a fit needs both outcomes).");
        }

        if (options.HoldoutFraction is not (> 0 and < 1))
        {
            failures.Add("Recalibration:HoldoutFraction must be between 0 and 1 (exclusive): the share of the newest outcomes kept out of the fit.");
        }

        if (options.MinSupportSamples < 0)
        {
            failures.Add("Recalibration:MinSupportSamples must be >= 0 (0 recalibrates everywhere).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
