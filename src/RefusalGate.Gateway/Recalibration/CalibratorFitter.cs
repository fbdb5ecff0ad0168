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
    /// Platt scaling by Newton's method on x = logit p, with a small ridge toward the identity (a = 1, b = 0) so that
    /// separable or tiny samples give a finite, modest correction instead of an infinite slope.
    /// </summary>
    public static PlattCalibrator FitPlatt(IReadOnlyList<CalibrationSample> samples, double ridge = 1e-2)
    {
        double a = 1, b = 0;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            // Gradient and Hessian of the mean log-loss plus ridge · ((a − 1)² + b²) / 2.
            double ga = ridge * (a - 1), gb = ridge * b, haa = ridge, hab = 0, hbb = ridge;
            foreach (var (probability, refused) in samples)
            {
                var x = Logistic.Logit(probability);
                var q = Logistic.Sigmoid(a * x + b);
                var residual = (q - (refused ? 1 : 0)) / samples.Count;
                var weight = q * (1 - q) / samples.Count;
                ga += residual * x;
                gb += residual;
                haa += weight * x * x;
                hab += weight * x;
                hbb += weight;
            }

            var determinant = haa * hbb - hab * hab;
            var da = (hbb * ga - hab * gb) / determinant;
            var db = (haa * gb - hab * ga) / determinant;
            a -= da;
            b -= db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-9)
            {
                break;
            }
        }

        return new PlattCalibrator(a, b);
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
