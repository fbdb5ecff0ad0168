using RefusalGate.Gateway.Calibration;

namespace RefusalGate.Gateway.Recalibration;

/// <summary>One logged prediction: the classifier's own probability and whether the model refused.</summary>
public readonly record struct CalibrationSample(double Probability, bool Refused);

/// <summary>Fits calibrators to samples, and measures what a calibrator does to ECE and Brier.</summary>
public static class CalibratorFitter
{
    public static ICalibrator Fit(RecalibrationMethod method, IReadOnlyList<CalibrationSample> samples) => method switch
    {
        RecalibrationMethod.Isotonic => FitIsotonic(samples),
        _ => FitPlatt(samples),
    };

    /// <summary>
    /// Platt scaling: σ(a · logit p + b) fitted by penalised logistic regression, with a small ridge toward the
    /// identity (a = 1, b = 0) so that separable or tiny samples give a finite, modest correction instead of an
    /// infinite slope. The ridge is per sample (on the mean log-loss), so its pull does not fade as samples grow.
    /// </summary>
    public static PlattCalibrator FitPlatt(IReadOnlyList<CalibrationSample> samples, double ridge = 1e-2)
    {
        var features = samples.Select(s => new[] { Logistic.Logit(s.Probability), 1.0 }).ToArray();
        var refused = samples.Select(s => s.Refused).ToArray();
        var w = PenalizedLogisticFit.Fit(features, refused, [1.0, 0.0], ridge * samples.Count);
        return new PlattCalibrator(w[0], w[1]);
    }

    /// <summary>Pool adjacent violators over the samples sorted by probability; knots are the blocks' mean probabilities.</summary>
    public static IsotonicCalibrator FitIsotonic(IReadOnlyList<CalibrationSample> samples)
    {
        var sorted = samples.OrderBy(s => s.Probability).ToArray();
        var blocks = new List<(double ProbabilitySum, double RefusalSum, int Count)>(sorted.Length);
        foreach (var (probability, refused) in sorted)
        {
            blocks.Add((probability, refused ? 1 : 0, 1));
            while (blocks.Count > 1 && Mean(blocks[^2]) >= Mean(blocks[^1]))
            {
                var (p1, r1, n1) = blocks[^2];
                var (p2, r2, n2) = blocks[^1];
                blocks.RemoveAt(blocks.Count - 1);
                blocks[^1] = (p1 + p2, r1 + r2, n1 + n2);
            }
        }

        return new IsotonicCalibrator([.. blocks.Select(b => b.ProbabilitySum / b.Count)], [.. blocks.Select(Mean)]);

        static double Mean((double ProbabilitySum, double RefusalSum, int Count) block) => block.RefusalSum / block.Count;
    }

    /// <summary>Expected calibration error over ten equal-width bins (the same binning as the live gauges).</summary>
    public static double ExpectedCalibrationError(IReadOnlyList<CalibrationSample> samples, ICalibrator? calibrator = null)
    {
        const int bins = 10;
        var count = new int[bins];
        var predicted = new double[bins];
        var observed = new double[bins];
        foreach (var (raw, refused) in samples)
        {
            var p = calibrator?.Apply(raw) ?? raw;
            var bin = Math.Min((int)(p * bins), bins - 1);
            count[bin]++;
            predicted[bin] += p;
            observed[bin] += refused ? 1 : 0;
        }

        var ece = 0.0;
        for (var b = 0; b < bins; b++)
        {
            if (count[b] > 0)
            {
                ece += Math.Abs(predicted[b] - observed[b]) / samples.Count;
            }
        }

        return ece;
    }

    public static double Brier(IReadOnlyList<CalibrationSample> samples, ICalibrator? calibrator = null) =>
        samples.Average(s => Math.Pow((calibrator?.Apply(s.Probability) ?? s.Probability) - (s.Refused ? 1 : 0), 2));
}
