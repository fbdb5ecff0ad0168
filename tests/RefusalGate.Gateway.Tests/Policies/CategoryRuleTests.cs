using RefusalGate.Gateway.Policies.Actions;
using RefusalGate.Gateway.Policies.Model;

namespace RefusalGate.Gateway.Tests.Policies;

public sealed class CategoryRuleTests
{
    [Fact]
    public void Inverted_thresholds_met_at_run_time_let_the_refuse_threshold_win()
    {
        // The loader rejects these; should a rule ever carry them, the band closes and refuse wins where they overlap.
        var allow = new AllowAction("allow");
        var rule = new CategoryRule("c", refuseAt: 0.4, complyAt: 0.7, allow, allow, allow, SelfPredictionSettings.Default);

        rule.ComplyAt.ShouldBe(0.4);
        rule.ZoneOf(0.5).ShouldBe(PolicyZone.Refuse);
        rule.ZoneOf(0.4).ShouldBe(PolicyZone.Refuse);
        rule.ZoneOf(0.39).ShouldBe(PolicyZone.Comply);
    }
}
