using RefusalGate.Gateway.Recalibration;

namespace RefusalGate.Gateway.Tests.Recalibration;

public sealed class CalibratorFitterTests
{
    /// <summary>An over-confident classifier: the true refusal probability is σ(0.5 · logit p + 0.4).</summary>
    internal static List<CalibrationSample> OverConfident(int count, int seed)
    {
        var random = new Random(seed);
        var samples = new List<CalibrationSample>(count);
        for (var i = 0; i < count; i++)
        {
            var p = random.NextDouble() * 0.98 + 0.01;
            var truth = 1 / (1 + Math.Exp(-(0.5 * Math.Log(p / (1 - p)) + 0.4)));
            samples.Add(new(p, random.NextDouble() < truth));
        }

        return samples;
    }

    [Fact]
    public void Platt_recovers_the_distortion_and_lowers_held_out_ece()
    {
        var fitted = CalibratorFitter.FitPlatt(OverConfident(20_000, seed: 1));
        fitted.Slope.ShouldBe(0.5, 0.05);
        fitted.Intercept.ShouldBe(0.4, 0.06);

        var held = OverConfident(5_000, seed: 2);
        CalibratorFitter.ExpectedCalibrationError(held, fitted).ShouldBeLessThan(CalibratorFitter.ExpectedCalibrationError(held) / 3);
        CalibratorFitter.Brier(held, fitted).ShouldBeLessThan(CalibratorFitter.Brier(held));
    }

    [Fact]
    public void Platt_converges_when_the_upstream_ignores_the_prediction()
    {
        // A model far stricter than the classifier expects: it refuses 5 prompts in 6 whatever their probability,
        // most of which are low. Full Newton steps from the identity oscillate here (slope ≈ 46 after 50 steps).
        var samples = Enumerable.Range(0, 90)
            .Select(i => new CalibrationSample(0.02 + (0.88 * Math.Pow(i / 89.0, 2)), Refused: i % 6 != 0)).ToList();

        var fitted = CalibratorFitter.FitPlatt(samples);

        fitted.Slope.ShouldBe(0, 0.3);
        fitted.Apply(0.3).ShouldBe(5 / 6.0, 0.05);
        CalibratorFitter.ExpectedCalibrationError(samples, fitted).ShouldBeLessThan(CalibratorFitter.ExpectedCalibrationError(samples) / 5);
    }

    [Fact]
    public void Platt_stays_finite_on_separable_data()
    {
        var separable = Enumerable.Range(0, 100).Select(i => new CalibrationSample(i < 50 ? 0.2 : 0.8, Refused: i >= 50)).ToList();
        var fitted = CalibratorFitter.FitPlatt(separable);
        double.IsFinite(fitted.Slope).ShouldBeTrue();
        fitted.Apply(0.8).ShouldBeGreaterThan(0.9);
        fitted.Apply(0.2).ShouldBeLessThan(0.1);
    }

    [Fact]
    public void Isotonic_is_monotone_bounded_and_lowers_held_out_ece()
    {
        var fitted = CalibratorFitter.FitIsotonic(OverConfident(20_000, seed: 3));
        fitted.Values.ShouldBe(fitted.Values.Order().ToList());

        var outputs = Enumerable.Range(0, 101).Select(i => fitted.Apply(i / 100.0)).ToList();
        outputs.ShouldBe(outputs.Order().ToList());
        outputs.ShouldAllBe(p => p >= 1e-3 && p <= 1 - 1e-3);

        var held = OverConfident(5_000, seed: 4);
        CalibratorFitter.ExpectedCalibrationError(held, fitted).ShouldBeLessThan(CalibratorFitter.ExpectedCalibrationError(held) / 2);
    }

    [Fact]
    public void Ece_matches_a_hand_computed_example()
    {
        // Bin 9: mean 0.9 predicted, 1 of 2 refused → |0.9 − 0.5| · 2/4; bin 1: 0.1 predicted, 0 of 2 → 0.1 · 2/4.
        CalibrationSample[] samples = [new(0.9, true), new(0.9, false), new(0.1, false), new(0.1, false)];
        CalibratorFitter.ExpectedCalibrationError(samples).ShouldBe(0.25, 1e-12);
        CalibratorFitter.Brier(samples).ShouldBe((0.01 + 0.81 + 0.01 + 0.01) / 4, 1e-12);
    }
}
