using RefusalGate.Gateway.Calibration;

namespace RefusalGate.Gateway.Recalibration;

/// <summary>A monotone map from the classifier's probability to a recalibrated one.</summary>
public interface ICalibrator
{
    double Apply(double probability);
}

/// <summary>p' = σ(a · logit p + b).</summary>
public sealed record PlattCalibrator(double Slope, double Intercept) : ICalibrator
{
    public double Apply(double probability) => Logistic.Sigmoid(Slope * Logistic.Logit(probability) + Intercept);
}

/// <summary>
/// A non-decreasing step function from pool-adjacent-violators, linearly interpolated between the blocks' mean
/// probabilities (so nearby inputs do not jump) and kept inside [ε, 1 − ε] so no prediction becomes certain.
/// </summary>
public sealed class IsotonicCalibrator(double[] knots, double[] values) : ICalibrator
{
    private const double Epsilon = 1e-3;

    public IReadOnlyList<double> Knots => knots;

    public IReadOnlyList<double> Values => values;

    public double Apply(double probability)
    {
        var i = Array.BinarySearch(knots, probability);
        double value;
        if (i >= 0)
        {
            value = values[i];
        }
        else
        {
            var upper = ~i;
            value = upper == 0 ? values[0]
                : upper == knots.Length ? values[^1]
                : values[upper - 1] + (values[upper] - values[upper - 1]) * (probability - knots[upper - 1]) / (knots[upper] - knots[upper - 1]);
        }

        return Math.Clamp(value, Epsilon, 1 - Epsilon);
    }
}
