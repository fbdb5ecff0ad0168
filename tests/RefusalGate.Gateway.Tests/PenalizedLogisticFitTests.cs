using RefusalGate.Gateway.Calibration;

namespace RefusalGate.Gateway.Tests;

public sealed class PenalizedLogisticFitTests
{
    [Fact]
    public void Recovers_the_weights_that_generated_the_outcomes()
    {
        var random = new Random(11);
        double[] truth = [-0.5, 1.5, 0.7];
        var features = Enumerable.Range(0, 20_000).Select(_ => new[] { 1.0, (random.NextDouble() * 6) - 3, (random.NextDouble() * 6) - 3 }).ToArray();
        var refused = features.Select(x => random.NextDouble() < 1 / (1 + Math.Exp(-((truth[0] * x[0]) + (truth[1] * x[1]) + (truth[2] * x[2]))))).ToArray();

        var w = PenalizedLogisticFit.Fit(features, refused, [0.0, 1.0, 1.0], penalty: 1.0);

        w[0].ShouldBe(truth[0], 0.06);
        w[1].ShouldBe(truth[1], 0.06);
        w[2].ShouldBe(truth[2], 0.06);
    }

    [Fact]
    public void A_strong_penalty_keeps_the_prior()
    {
        var features = Enumerable.Range(0, 50).Select(i => new[] { 1.0, i / 10.0 }).ToArray();
        var refused = Enumerable.Range(0, 50).Select(i => i >= 25).ToArray(); // separable: the unpenalised slope is infinite

        var w = PenalizedLogisticFit.Fit(features, refused, [0.0, 1.0], penalty: 1e6);

        w[0].ShouldBe(0, 1e-3);
        w[1].ShouldBe(1, 1e-3);
    }

    [Fact]
    public void Converges_when_outcomes_do_not_depend_on_the_features()
    {
        // Outcomes that ignore the feature (5 refusals in 6): full Newton steps from the prior oscillate forever here.
        var features = Enumerable.Range(0, 90).Select(i => new[] { Math.Log(0.05 + (i / 100.0)) * 3, 1.0 }).ToArray();
        var refused = Enumerable.Range(0, 90).Select(i => i % 6 != 0).ToArray();

        var w = PenalizedLogisticFit.Fit(features, refused, [1.0, 0.0], penalty: 0.9);

        w[0].ShouldBe(0, 0.3);
        (1 / (1 + Math.Exp(-w[1]))).ShouldBe(5 / 6.0, 0.1);
    }
}
