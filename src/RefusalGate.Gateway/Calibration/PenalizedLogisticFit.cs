namespace RefusalGate.Gateway.Calibration;

/// <summary>
/// Logistic regression on a handful of features, penalised toward prior weights: minimises
/// Σ log-loss(σ(w · xᵢ), yᵢ) + penalty · ‖w − prior‖² / 2. Used to refit Platt calibrators and the cascade's fusion
/// weights on logged outcomes. The penalty keeps small or separable samples from producing wild weights.
/// </summary>
/// <remarks>
/// Newton's method, with every step backtracked until the objective decreases (Armijo). Full Newton steps from the
/// prior oscillate without converging when the outcomes hardly depend on the features — for instance an upstream that
/// refuses most prompts whatever the classifier says, which is exactly the drift these refits exist to correct.
/// </remarks>
internal static class PenalizedLogisticFit
{
    private const int MaxIterations = 100;
    private const double Tolerance = 1e-9;

    /// <param name="features">One feature vector per sample (include a constant 1 for an intercept).</param>
    /// <param name="refused">The outcome of each sample.</param>
    /// <param name="prior">The weights the penalty pulls toward, and the starting point.</param>
    /// <param name="penalty">Strength of the pull, in units of one sample's log-loss.</param>
    public static double[] Fit(IReadOnlyList<double[]> features, IReadOnlyList<bool> refused, ReadOnlySpan<double> prior, double penalty)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(features.Count, refused.Count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(penalty);
        var k = prior.Length;
        var w = prior.ToArray();
        var pull = prior.ToArray();
        var objective = Objective(features, refused, w, pull, penalty);
        var candidate = new double[k];
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            var (gradient, hessian) = Derivatives(features, refused, w, pull, penalty);
            var direction = SolvePositiveDefinite(hessian, gradient);
            var decrease = Dot(gradient, direction);

            var step = 1.0;
            double next;
            while (true)
            {
                for (var a = 0; a < k; a++)
                {
                    candidate[a] = w[a] - (step * direction[a]);
                }

                next = Objective(features, refused, candidate, pull, penalty);
                if (next <= objective - (1e-4 * step * decrease) || step < 1e-10)
                {
                    break;
                }

                step /= 2;
            }

            var moved = 0.0;
            for (var a = 0; a < k; a++)
            {
                moved += Math.Abs(candidate[a] - w[a]);
                w[a] = candidate[a];
            }

            objective = next;
            if (moved < Tolerance)
            {
                break;
            }
        }

        return w;
    }

    private static double Objective(IReadOnlyList<double[]> features, IReadOnlyList<bool> refused, double[] w, double[] prior, double penalty)
    {
        var loss = 0.0;
        for (var i = 0; i < features.Count; i++)
        {
            var z = Dot(w, features[i]);
            loss += Logistic.Softplus(refused[i] ? -z : z);
        }

        for (var a = 0; a < w.Length; a++)
        {
            loss += penalty * (w[a] - prior[a]) * (w[a] - prior[a]) / 2;
        }

        return loss;
    }

    private static (double[] Gradient, double[,] Hessian) Derivatives(
        IReadOnlyList<double[]> features, IReadOnlyList<bool> refused, double[] w, double[] prior, double penalty)
    {
        var k = w.Length;
        var gradient = new double[k];
        var hessian = new double[k, k];
        for (var i = 0; i < features.Count; i++)
        {
            var x = features[i];
            var p = Logistic.Sigmoid(Dot(w, x));
            var residual = p - (refused[i] ? 1 : 0);
            var weight = p * (1 - p);
            for (var a = 0; a < k; a++)
            {
                gradient[a] += residual * x[a];
                for (var b = 0; b < k; b++)
                {
                    hessian[a, b] += weight * x[a] * x[b];
                }
            }
        }

        for (var a = 0; a < k; a++)
        {
            gradient[a] += penalty * (w[a] - prior[a]);
            hessian[a, a] += penalty;
        }

        return (gradient, hessian);
    }

    /// <summary>Solves H d = g by Cholesky; H is positive definite because the penalty adds to its diagonal.</summary>
    private static double[] SolvePositiveDefinite(double[,] h, double[] g)
    {
        var k = g.Length;
        var l = new double[k, k];
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                var sum = h[i, j];
                for (var m = 0; m < j; m++)
                {
                    sum -= l[i, m] * l[j, m];
                }

                l[i, j] = i == j ? Math.Sqrt(sum) : sum / l[j, j];
            }
        }

        var y = new double[k];
        for (var i = 0; i < k; i++)
        {
            var sum = g[i];
            for (var m = 0; m < i; m++)
            {
                sum -= l[i, m] * y[m];
            }

            y[i] = sum / l[i, i];
        }

        var d = new double[k];
        for (var i = k - 1; i >= 0; i--)
        {
            var sum = y[i];
            for (var m = i + 1; m < k; m++)
            {
                sum -= l[m, i] * d[m];
            }

            d[i] = sum / l[i, i];
        }

        return d;
    }

    private static double Dot(double[] a, double[] b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
