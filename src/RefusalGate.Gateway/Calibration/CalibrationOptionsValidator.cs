using Microsoft.Extensions.Options;

namespace RefusalGate.Gateway.Calibration;

/// <summary>Fails start-up with the setting named, instead of gauges that silently measure nothing.</summary>
internal sealed class CalibrationOptionsValidator : IValidateOptions<CalibrationOptions>
{
    public ValidateOptionsResult Validate(string? name, CalibrationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.HighConfidenceThreshold is not (>= 0.5 and <= 1))
        {
            failures.Add("Calibration:HighConfidenceThreshold must be between 0.5 and 1 (it is the probability of the predicted class).");
        }

        if (options.MaxModels < 1)
        {
            failures.Add("Calibration:MaxModels must be >= 1.");
        }

        if (options.Window < TimeSpan.Zero)
        {
            failures.Add("Calibration:Window must be >= 0 (0 = no recent-window gauges).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
