using RefusalGate.Gateway.Policies.Loading;
using RefusalGate.Gateway.Policies.Model;

namespace RefusalGate.Gateway.Tests.Policies;

/// <summary>
/// What a user fixing a policy file sees: every independent error in one run, each at the line and column of what to
/// change, and one message per root cause (no follow-up errors that vanish once the first is fixed).
/// </summary>
public sealed class PolicyErrorReportingTests
{
    private static readonly PolicyLoadContext Context = new(["violent_crimes", "cyber_crimes"], ["main", "strict"]);

    private static PolicyLoadResult Load(string yaml) => PolicyLoader.Load([("policy.yaml", yaml)], Context);

    /// <summary>
    /// The file fails with exactly the errors <paramref name="expected"/> (each "line:column message-start"), in that order:
    /// nothing missing, nothing extra.
    /// </summary>
    private static void FailsWith(string yaml, params string[] expected)
    {
        var result = Load(yaml);
        result.Succeeded.ShouldBeFalse();
        var actual = result.Errors.Select(e => $"{e.Line}:{e.Column} {e.Message}").ToList();
        var report = string.Join("\n", actual);
        actual.Count.ShouldBe(expected.Length, report);
        for (var i = 0; i < expected.Length; i++)
        {
            actual[i].ShouldStartWith(expected[i], Case.Sensitive, report);
        }
    }

    [Fact]
    public void Errors_are_listed_in_file_order_then_by_position()
    {
        var result = PolicyLoader.Load(
            [
                ("b.yaml", "version: 1\npolicy:\n  failAction: nope\n  thresholds: { refuse: 2 }\n"),
                ("a.yaml", "version: 1\nactions:\n  s: { type: shadow, of: none }\nunknown: 1\n"),
            ],
            Context);

        result.Errors.Select(e => e.Location).ShouldBe(["b.yaml:3:15", "b.yaml:4:25", "a.yaml:3:26", "a.yaml:4:1"]);
    }
}
