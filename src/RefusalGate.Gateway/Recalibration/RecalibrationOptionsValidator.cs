using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.Recalibration;

/// <summary>Fails start-up with a precise message instead of a fit loop that fails or does nothing every interval.</summary>
internal sealed class RecalibrationOptionsValidator : SettingsValidator<RecalibrationOptions>
{
    protected override IEnumerable<string> Failures(RecalibrationOptions options)
    {
        if (options.Interval <= TimeSpan.Zero)
        {
            yield return "Recalibration:Interval must be positive.";
        }

        if (options.MaxSamples < 1 || options.MinSamples < 2 || options.MinCategorySamples < 2)
        {
            yield return "Recalibration:MaxSamples must be >= 1, and MinSamples and MinCategorySamples >= 2 (a fit needs both outcomes).";
        }

        if (options.HoldoutFraction is not (> 0 and < 1))
        {
            yield return "Recalibration:HoldoutFraction must be between 0 and 1 (exclusive): the share of the newest outcomes kept out of the fit.";
        }

        if (options.MinSupportSamples < 0)
        {
            yield return "Recalibration:MinSupportSamples must be >= 0 (0 recalibrates everywhere).";
        }
    }
}
