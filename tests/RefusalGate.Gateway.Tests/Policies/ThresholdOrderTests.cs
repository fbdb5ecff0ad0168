using RefusalGate.Gateway.Policies.Loading;

namespace RefusalGate.Gateway.Tests.Policies;

/// <summary>
/// Thresholds are merged from several layers (the default policy, its category entries, every matching override), so
/// a comply threshold above the refuse threshold can come from settings that are each fine on their own.
/// </summary>
public sealed class ThresholdOrderTests
{
    private static readonly PolicyLoadContext Context = new(["violent_crimes", "cyber_crimes"], ["main", "strict"]);

    /// <summary>A tenant's comply 0.7 (line 8) and a route's refuse 0.4 (line 12): each fine alone, inverted together.</summary>
    private const string TenantAndRoute = """
        version: 1
        tenants:
          header: x-tenant-id
        overrides:
          - name: acme
            match: { tenant: acme }
            policy:
              thresholds: { comply: 0.7 }
          - name: strict-route
            match: { upstream: strict }
            policy:
              thresholds: { refuse: 0.4 }
        """;

    private static PolicyLoadResult Load(string yaml) => PolicyLoader.Load([("policy.yaml", yaml)], Context);

    /// <summary>The policy fails with one error, at <paramref name="at"/> (file:line:column, or null for anywhere), saying each of <paramref name="says"/>.</summary>
    private static void FailsOnce(string yaml, string? at, params string[] says)
    {
        var result = Load(yaml);
        result.Succeeded.ShouldBeFalse();
        var error = result.Errors.ShouldHaveSingleItem().ToString();
        error.ShouldStartWith(at ?? "policy.yaml:");
        foreach (var part in says)
        {
            error.ShouldContain(part);
        }
    }

    [Fact]
    public void A_tenant_and_a_route_that_invert_the_thresholds_together_are_rejected_naming_both()
    {
        FailsOnce(
            TenantAndRoute,
            "policy.yaml:8:29:",
            "override 'acme' (policy.yaml:8:29)",
            "override 'strict-route' (policy.yaml:12:29)",
            "comply threshold 0.7",
            "refuse threshold 0.4",
            "tenant 'acme'",
            "upstream 'strict'",
            "for every category");
    }

    [Fact]
    public void An_override_for_the_combination_that_settles_both_thresholds_makes_it_valid()
    {
        var result = Load(TenantAndRoute + """

              - name: acme-on-strict
                match: { tenant: acme, upstream: strict }
                policy: { thresholds: { refuse: 0.4, comply: 0.3 } }
            """);

        result.Errors.ShouldBeEmpty();
        var rule = result.Policies!.Resolve("acme", "strict", "m").RuleFor("violent_crimes");
        (rule.ComplyAt, rule.RefuseAt).ShouldBe((0.3, 0.4));
    }

    [Fact]
    public void Overrides_that_never_apply_to_the_same_request_are_not_combined()
    {
        var result = Load("""
            version: 1
            overrides:
              - { name: gpt, match: { model: "gpt-*" }, policy: { thresholds: { comply: 0.7 } } }
              - { name: claude, match: { model: "claude-*" }, policy: { thresholds: { refuse: 0.4 } } }
              - { name: main, match: { upstream: main }, policy: { thresholds: { comply: 0.3 } } }
              - { name: strict, match: { upstream: strict }, policy: { thresholds: { refuse: 0.5 } } }
              - { name: on-strict-gpt, match: { upstream: strict, model: "gpt-*" }, policy: { thresholds: { comply: 0.45 } } }
            """);

        result.Errors.ShouldBeEmpty();
    }

    [Fact]
    public void Model_globs_that_overlap_are_combined()
    {
        FailsOnce(
            """
            version: 1
            overrides:
              - { name: gpt, match: { model: "gpt-*" }, policy: { thresholds: { comply: 0.7 } } }
              - { name: mini, match: { model: "*-mini" }, policy: { thresholds: { refuse: 0.6 } } }
            """,
            null,
            "override 'gpt' (policy.yaml:3:77)",
            "override 'mini' (policy.yaml:4:79)",
            "model 'gpt-");
    }

    [Fact]
    public void An_override_that_always_applies_alongside_is_taken_into_account()
    {
        // A request from acme also matches every-model, which lowers comply below acme's refuse: never inverted.
        var result = Load("""
            version: 1
            tenants: { header: x-tenant-id }
            overrides:
              - { name: every-model, match: { model: "*" }, policy: { thresholds: { comply: 0.05 } } }
              - { name: acme, match: { tenant: acme }, policy: { thresholds: { refuse: 0.1 } } }
            """);

        result.Errors.ShouldBeEmpty();
    }

    [Fact]
    public void A_category_entry_that_inverts_the_layer_thresholds_is_reported_at_its_line()
    {
        FailsOnce(
            """
            version: 1
            policy:
              thresholds: { refuse: 0.5 }
              categories:
                cyber_crimes:
                  thresholds: { comply: 0.6 }
            """,
            "policy.yaml:6:29:",
            "category 'cyber_crimes'",
            "the default policy, category 'cyber_crimes' (policy.yaml:6:29)",
            "the default policy (policy.yaml:3:25)");
    }

    [Fact]
    public void A_threshold_against_the_built_in_default_is_reported_at_its_line()
    {
        FailsOnce(
            """
            version: 1
            overrides:
              - name: lenient
                match: { model: "*" }
                policy:
                  categories:
                    violent_crimes: { thresholds: { comply: 0.9 } }
            """,
            "policy.yaml:7:49:",
            "the built-in refuse threshold 0.8");
    }
}
