using RefusalGate.Gateway.Policies.Model;
using RefusalGate.Gateway.Policies.SelfPrediction;

namespace RefusalGate.Gateway.Tests.Policies;

public sealed class PredictionFusionTests
{
    [Fact]
    public void Default_weights_add_the_evidence_in_logit_space()
    {
        var fusion = new PredictionFusion();
        var settings = FusionSettings.Default with { Fit = false };

        fusion.Combine("m", 0.5, 0.9, settings).ShouldBe(0.9, 1e-9);
        fusion.Combine("m", 0.8, 0.8, settings).ShouldBe(16.0 / 17.0, 1e-9);
        fusion.Combine("m", 0.9, 0.1, settings).ShouldBe(0.5, 1e-9);
    }

    [Fact]
    public void Fitted_weights_learn_to_ignore_an_uninformative_self_prediction()
    {
        var fusion = new PredictionFusion();
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            // The classifier is calibrated; the model's own verdict is a coin toss.
            var p = random.NextDouble();
            var refused = random.NextDouble() < p;
            fusion.Add("m", p, random.NextDouble() < 0.5 ? 0.9 : 0.1, refused);
        }

        var (_, classifierWeight, selfWeight) = fusion.WeightsFor("m", FusionSettings.Default);

        classifierWeight.ShouldBeInRange(0.7, 1.3);
        Math.Abs(selfWeight).ShouldBeLessThan(0.2);
        fusion.WeightsFor("other-model", FusionSettings.Default).ShouldBe((0.0, 1.0, 1.0));
        fusion.WeightsFor("m", FusionSettings.Default with { Fit = false }).ShouldBe((0.0, 1.0, 1.0));
    }
}
