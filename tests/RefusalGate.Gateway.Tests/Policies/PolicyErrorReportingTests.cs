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

    [Theory]
    [InlineData("version: 1\npolicy:\n\tthresholds:\n\t\trefuse: 0.8\n", "3:1")]
    [InlineData("version: 1\npolicy:\n  thresholds:\n  \trefuse: 0.8\n", "4:3")]
    [InlineData("version: 1\npolicy:\n  categories:\n    violent_crimes: {}\n\t  cyber_crimes: {}\n", "5:1")]
    [InlineData("version: 1\noverrides:\n  - { match: { model: a }, policy: {} }\n\t- { match: { model: b }, policy: {} }\n", "4:1")]
    [InlineData("version: 1\npolicy:\n  thresholds: {\n\trefuse: 0.8 }\n", "4:1")]
    public void A_tab_used_for_indentation_is_reported_where_it_is(string yaml, string at)
    {
        FailsWith(yaml, $"{at} YAML syntax error: a tab is used for indentation; YAML indents with spaces only.");
    }

    [Fact]
    public void A_tab_after_the_indentation_is_fine()
    {
        Load("version: 1\npolicy:\n  thresholds:\n    refuse:\t0.8  \t# tabs between tokens are allowed\n").Errors.ShouldBeEmpty();
    }

    [Fact]
    public void Anchors_and_aliases_are_read_and_an_unknown_alias_is_an_error()
    {
        var set = Load("""
            version: 1
            policy:
              thresholds: &strict { refuse: 0.9, comply: 0.1 }
            overrides:
              - match: { model: a }
                policy: { thresholds: *strict }
            """).Policies.ShouldNotBeNull();
        set.Resolve(null, "main", "a").RuleFor("violent_crimes").RefuseAt.ShouldBe(0.9);

        FailsWith("version: 1\npolicy:\n  failAction: *missing\n", "3:15 YAML syntax error: the alias *missing refers to no anchor defined before it.");
    }

    [Fact]
    public void A_duplicate_key_does_not_hide_the_other_errors_of_the_file()
    {
        FailsWith(
            "version: 1\npolicy:\n  failMode: open\n  actions: { refuse: nope }\n  failMode: closed\n",
            "4:22 Unknown action 'nope'",
            "5:3 Duplicate key failMode (first at line 3, column 3); each key may appear once per mapping.");
    }

    [Fact]
    public void A_second_document_does_not_hide_the_errors_of_the_first()
    {
        FailsWith(
            "version: 1\npolicy: { actions: { refuse: nope } }\n---\nversion: 1\n",
            "2:30 Unknown action 'nope'",
            "4:1 Only one YAML document per policy file is allowed.");
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
