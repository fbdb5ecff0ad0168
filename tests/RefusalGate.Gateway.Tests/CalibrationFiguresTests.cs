using RefusalGate.Gateway.Calibration;

namespace RefusalGate.Gateway.Tests;

public sealed class CalibrationFiguresTests
{
    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(0.975, 1.959963985)]
    [InlineData(0.025, -1.959963985)]
    [InlineData(0.001, -3.090232306)]
    [InlineData(0.8413447461, 1.0)]
    public void Normal_quantile_matches_tables(double p, double z) => NormalQuantile.Of(p).ShouldBe(z, 1e-6);

    [Fact]
    public void Confusion_counts_give_accuracy_d_prime_and_criterion()
    {
        var counts = new CalibrationCounts();
        Add(counts, 40, predicted: true, actual: true, p: 0.8);
        Add(counts, 10, predicted: false, actual: true, p: 0.3);
        Add(counts, 10, predicted: true, actual: false, p: 0.7);
        Add(counts, 40, predicted: false, actual: false, p: 0.2);

        var figures = CalibrationFigures.From(counts);

        figures.Samples.ShouldBe(100);
        figures.Accuracy.ShouldBe(0.8, 1e-12);
        figures.HitRate.ShouldBe(0.8, 1e-12);
        figures.FalseAlarmRate.ShouldBe(0.2, 1e-12);
        var zHit = NormalQuantile.Of(40.5 / 51);
        var zFalseAlarm = NormalQuantile.Of(10.5 / 51);
        figures.DPrime.ShouldBe(zHit - zFalseAlarm, 1e-12);
        figures.Criterion.ShouldBe(0, 1e-12);
    }

    [Fact]
    public void Ece_and_brier_follow_their_definitions()
    {
        var counts = new CalibrationCounts();

        // Bin 0.9-1.0: 10 predictions at 0.95, 8 refused. Bin 0.1-0.2: 10 predictions at 0.15, 1 refused.
        Add(counts, 8, predicted: true, actual: true, p: 0.95);
        Add(counts, 2, predicted: true, actual: false, p: 0.95);
        Add(counts, 1, predicted: false, actual: true, p: 0.15);
        Add(counts, 9, predicted: false, actual: false, p: 0.15);

        var figures = CalibrationFigures.From(counts);

        figures.ExpectedCalibrationError.ShouldBe((0.5 * Math.Abs(0.95 - 0.8)) + (0.5 * Math.Abs(0.15 - 0.1)), 1e-12);
        var brier = ((8 * 0.05 * 0.05) + (2 * 0.95 * 0.95) + (0.85 * 0.85) + (9 * 0.15 * 0.15)) / 20;
        figures.Brier.ShouldBe(brier, 1e-12);
        figures.HighConfidenceCoverage.ShouldBe(0.5, 1e-12);
        figures.HighConfidenceAccuracy.ShouldBe(0.8, 1e-12);
    }

    [Fact]
    public void Perfect_separation_stays_finite_and_empty_subsets_are_undefined()
    {
        var counts = new CalibrationCounts();
        Add(counts, 5, predicted: true, actual: true, p: 0.99);
        Add(counts, 5, predicted: false, actual: false, p: 0.01);

        var figures = CalibrationFigures.From(counts);

        double.IsFinite(figures.DPrime).ShouldBeTrue();
        double.IsFinite(figures.Criterion).ShouldBeTrue();
        double.IsNaN(CalibrationFigures.From(new CalibrationCounts()).Accuracy).ShouldBeTrue();
    }

    [Fact]
    public void With_one_class_missing_d_prime_and_criterion_are_undefined()
    {
        // All predicted refusals, none refused (a per-category row holds one predicted class): d' would be the class
        // counts dressed up as sensitivity (-1.465 for six such rows), so it is not given.
        var counts = new CalibrationCounts();
        Add(counts, 6, predicted: true, actual: false, p: 0.8);

        var figures = CalibrationFigures.From(counts);

        double.IsNaN(figures.DPrime).ShouldBeTrue();
        double.IsNaN(figures.Criterion).ShouldBeTrue();
        double.IsNaN(figures.HitRate).ShouldBeTrue();
        figures.Accuracy.ShouldBe(0);
    }

    private static void Add(CalibrationCounts counts, int times, bool predicted, bool actual, double p)
    {
        for (var i = 0; i < times; i++)
        {
            counts.Add(new CalibrationScore("classifier", "m", "c", p, predicted, predicted ? p : 1 - p, actual), highConfidenceThreshold: 0.9);
        }
    }
}
