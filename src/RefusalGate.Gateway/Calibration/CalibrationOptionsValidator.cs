using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.Calibration;

/// <summary>Fails start-up with the setting named, instead of gauges that silently measure nothing.</summary>
internal sealed class CalibrationOptionsValidator : SettingsValidator<CalibrationOptions>
{
    protected override IEnumerable<string> Failures(CalibrationOptions options)
    {
        if (options.HighConfidenceThreshold is not (>= 0.5 and <= 1))
        {
            yield return "Calibration:HighConfidenceThreshold must be between 0.5 and 1 (it is the probability of the predicted class).";
        }

        if (options.MaxModels < 1)
        {
            yield return "Calibration:MaxModels must be >= 1.";
        }

        if (options.Window < TimeSpan.Zero)
        {
            yield return "Calibration:Window must be >= 0 (0 = no recent-window gauges).";
        }
    }
}
