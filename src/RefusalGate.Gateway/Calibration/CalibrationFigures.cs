namespace RefusalGate.Gateway.Calibration;

/// <summary>
/// How well predictions matched reality, in the terms of signal detection theory and calibration research:
/// accuracy, hit and false-alarm rates, d′ = z(H) − z(F), criterion c = −(z(H) + z(F)) / 2, expected calibration
/// error over ten bins, Brier score, and the accuracy and coverage of the high-confidence subset.
/// </summary>
public sealed record CalibrationFigures(
    long Samples,
    double Accuracy,
    double HitRate,
    double FalseAlarmRate,
    double DPrime,
    double Criterion,
    double ExpectedCalibrationError,
    double Brier,
    double HighConfidenceAccuracy,
    double HighConfidenceCoverage)
{
    /// <summary>
    /// Derives the figures. Rates of 0 or 1 would make z infinite, so d′ and c use the log-linear correction
    /// (add 0.5 to each count and 1 to each total; Hautus 1995). Empty subsets give NaN, not a made-up number; so do
    /// d′ and c when one class is missing (no actual refusals, or no actual compliances): the correction would turn
    /// the class counts alone into a sensitivity that grows with n.
    /// </summary>
    public static CalibrationFigures From(CalibrationCounts counts)
    {
        var n = counts.Total;
        var signal = counts.Hits + counts.Misses;
        var noise = counts.FalseAlarms + counts.CorrectRejections;
        var zHit = NormalQuantile.Of((counts.Hits + 0.5) / (signal + 1.0));
        var zFalseAlarm = NormalQuantile.Of((counts.FalseAlarms + 0.5) / (noise + 1.0));

        var ece = 0.0;
        for (var b = 0; b < CalibrationCounts.Bins; b++)
        {
            if (counts.BinCounts[b] > 0)
            {
                var meanPredicted = counts.BinProbabilitySums[b] / counts.BinCounts[b];
                var observed = (double)counts.BinRefusals[b] / counts.BinCounts[b];
                ece += (double)counts.BinCounts[b] / n * Math.Abs(meanPredicted - observed);
            }
        }

        return new CalibrationFigures(
            n,
            Ratio(counts.Hits + counts.CorrectRejections, n),
            Ratio(counts.Hits, signal),
            Ratio(counts.FalseAlarms, noise),
            signal > 0 && noise > 0 ? zHit - zFalseAlarm : double.NaN,
            signal > 0 && noise > 0 ? -(zHit + zFalseAlarm) / 2 : double.NaN,
            n == 0 ? double.NaN : ece,
            Ratio(counts.BrierSum, n),
            Ratio(counts.HighConfidenceCorrect, counts.HighConfidenceCount),
            Ratio(counts.HighConfidenceCount, n));
    }

    private static double Ratio(double numerator, double denominator) => denominator == 0 ? double.NaN : numerator / denominator;
}

/// <summary>The standard normal quantile (inverse CDF), Acklam's rational approximation (relative error below 1.2e-9).</summary>
public static class NormalQuantile
{
    private static readonly double[] A = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
    private static readonly double[] B = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
    private static readonly double[] C = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
    private static readonly double[] D = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];

    public static double Of(double p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(p, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p, 1);
        const double low = 0.02425;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
        }

        if (p > 1 - low)
        {
            return -Of(1 - p);
        }

        var r = p - 0.5;
        var s = r * r;
        return (((((A[0] * s + A[1]) * s + A[2]) * s + A[3]) * s + A[4]) * s + A[5]) * r / (((((B[0] * s + B[1]) * s + B[2]) * s + B[3]) * s + B[4]) * s + 1);
    }
}
