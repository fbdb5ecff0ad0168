using RefusalGate.Gateway.Calibration;

namespace RefusalGate.Gateway.Tests;

public sealed class AurocTests
{
    [Fact]
    public void Perfect_reversed_and_tied_rankings()
    {
        Auroc.Of([(0.9, true), (0.8, true), (0.2, false), (0.1, false)]).ShouldBe(1.0);
        Auroc.Of([(0.1, true), (0.2, true), (0.8, false), (0.9, false)]).ShouldBe(0.0);
        Auroc.Of([(0.5, true), (0.5, false), (0.5, true), (0.5, false)]).ShouldBe(0.5);
    }

    [Fact]
    public void Ties_across_classes_count_one_half()
    {
        // Pairs (positive, negative): (0.7, 0.7) ties = 1/2, (0.7, 0.3) = 1, (0.3, 0.7) = 0, (0.3, 0.3) ties = 1/2.
        Auroc.Of([(0.7, true), (0.3, true), (0.7, false), (0.3, false)]).ShouldBe(0.5);
        // (0.9 > 0.7) = 1, (0.9 > 0.3) = 1, (0.7 = 0.7) = 1/2, (0.7 > 0.3) = 1 → 3.5 / 4.
        Auroc.Of([(0.9, true), (0.7, true), (0.7, false), (0.3, false)]).ShouldBe(0.875);
    }

    [Fact]
    public void Agrees_with_counting_every_pair()
    {
        var random = new Random(7);
        // Coarse scores, so ties are common.
        var scored = Enumerable.Range(0, 400).Select(_ => (Score: Math.Round(random.NextDouble(), 1), Positive: random.NextDouble() < 0.4)).ToList();
        var positives = scored.Where(s => s.Positive).Select(s => s.Score).ToList();
        var negatives = scored.Where(s => !s.Positive).Select(s => s.Score).ToList();
        var wins = positives.Sum(p => negatives.Sum(n => p > n ? 1.0 : p == n ? 0.5 : 0.0));

        Auroc.Of(scored).ShouldBe(wins / (positives.Count * negatives.Count), 1e-12);
    }

    [Fact]
    public void Is_undefined_without_both_classes()
    {
        double.IsNaN(Auroc.Of([(0.9, true), (0.1, true)])).ShouldBeTrue();
        double.IsNaN(Auroc.Of([(0.9, false)])).ShouldBeTrue();
        double.IsNaN(Auroc.Of([])).ShouldBeTrue();
    }
}
