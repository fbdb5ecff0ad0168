using RefusalGate.Gateway.Policies.SelfPrediction;

namespace RefusalGate.Gateway.Tests.Policies;

public sealed class TenantBudgetsTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 23, 12, 0, 5, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Each_tenant_gets_its_own_calls_per_minute_and_the_next_minute_starts_fresh()
    {
        var clock = new ManualClock();
        var budgets = new TenantBudgets(clock);

        Enumerable.Range(0, 3).Select(_ => budgets.TryTake("acme", 3)).ShouldAllBe(taken => taken);
        budgets.TryTake("acme", 3).ShouldBeFalse();
        budgets.TryTake("globex", 3).ShouldBeTrue();
        budgets.TryTake("acme", 0).ShouldBeTrue();

        clock.Now = clock.Now.AddMinutes(1);
        budgets.TryTake("acme", 3).ShouldBeTrue();
    }
}
