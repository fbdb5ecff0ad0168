namespace RefusalGate.Gateway.Calibration;

/// <summary>The logistic function, its inverse and the log-loss helper the calibration fits share.</summary>
internal static class Logistic
{
    /// <summary>log(p / (1 − p)), with p clamped to [<paramref name="epsilon"/>, 1 − <paramref name="epsilon"/>] so that 0 and 1 stay finite.</summary>
    public static double Logit(double p, double epsilon = 1e-6)
    {
        var q = Math.Clamp(p, epsilon, 1 - epsilon);
        return Math.Log(q / (1 - q));
    }

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>log(1 + eˣ), exact for large |x| too: −log σ(z) = softplus(−z), −log(1 − σ(z)) = softplus(z).</summary>
    public static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
}
