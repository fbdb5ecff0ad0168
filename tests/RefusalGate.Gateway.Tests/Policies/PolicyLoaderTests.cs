using RefusalGate.Gateway.Policies.Actions;
using RefusalGate.Gateway.Policies.Loading;
using RefusalGate.Gateway.Policies.Model;

namespace RefusalGate.Gateway.Tests.Policies;

public sealed class PolicyLoaderTests
{
    private static readonly string[] Categories = ["violent_crimes", "suicide_self_harm", "cyber_crimes"];
    private static readonly PolicyLoadContext Context = new(Categories, ["main", "strict"]);

    private static PolicyLoadResult Load(string yaml) => PolicyLoader.Load([("policy.yaml", yaml)], Context);

    private static PolicySet LoadValid(string yaml)
    {
        var result = Load(yaml);
        result.Errors.ShouldBeEmpty();
        return result.Policies!;
    }

    [Fact]
    public void The_shipped_policies_and_examples_are_valid()
    {
        var policies = Path.Combine(RepositoryRoot(), "policies");
        var taxonomy = PolicyTaxonomy.ReadCategoryIds(Path.Combine(policies, PolicyLoader.TaxonomyFileName));
        var context = new PolicyLoadContext(taxonomy, null);

        PolicyLoader.LoadDirectory(policies, context).Errors.ShouldBeEmpty();
        foreach (var example in Directory.GetFiles(Path.Combine(policies, "examples"), "*.yaml"))
        {
            PolicyLoader.LoadFiles([example], context).Errors.ShouldBeEmpty(example);
        }
    }

    [Fact]
    public void Without_files_the_built_in_defaults_apply()
    {
        var policy = PolicyLoader.Load([], Context).Policies!.Resolve(null, "main", "any");

        var rule = policy.RuleFor("violent_crimes");
        rule.ZoneOf(0.9).ShouldBe(PolicyZone.Refuse);
        rule.ZoneOf(0.5).ShouldBe(PolicyZone.Uncertain);
        rule.ZoneOf(0.1).ShouldBe(PolicyZone.Comply);
        rule.ActionFor(PolicyZone.Refuse).Type.ShouldBe("annotate");
        rule.ActionFor(PolicyZone.Uncertain).Type.ShouldBe("strict");
        rule.ActionFor(PolicyZone.Comply).Type.ShouldBe("allow");
        policy.FailMode.ShouldBe(FailMode.Open);
        policy.UnreadContent.ShouldBe(UnreadContentRule.Uncertain);
    }

    [Fact]
    public void Unread_content_is_layered_like_the_fail_mode_and_an_unknown_value_is_an_error_at_its_line()
    {
        var set = LoadValid("""
            version: 1
            policy:
              unreadContent: classify
            overrides:
              - { match: { model: "vision-*" }, policy: { unreadContent: uncertain } }
            """);

        set.Resolve(null, "main", "gpt-4o").UnreadContent.ShouldBe(UnreadContentRule.Classify);
        set.Resolve(null, "main", "vision-1").UnreadContent.ShouldBe(UnreadContentRule.Uncertain);
        var error = Load("version: 1\npolicy:\n  unreadContent: ignore\n").Errors.ShouldHaveSingleItem();
        error.Line.ShouldBe(3);
    }

    [Fact]
    public void Every_error_is_reported_with_its_line_and_column()
    {
        var result = Load("""
            version: 1
            actions:
              wrong:
                type: strict
                message: not for strict
            policy:
              thresholds: { refuse: 0.2, comply: 0.6 }
              actions:
                refuse: no-such-action
              selfPrediction: { mode: sometimes }
              categories:
                weapons: {}
            """);

        result.Succeeded.ShouldBeFalse();
        var errors = result.Errors.Select(e => e.ToString()).ToList();
        errors.ShouldContain(e => e.StartsWith("policy.yaml:5:5:") && e.Contains("'message' does not apply to a strict action"));
        errors.ShouldContain(e => e.StartsWith("policy.yaml:7:38:") && e.Contains("comply threshold (0.6) is above"));
        errors.ShouldContain(e => e.StartsWith("policy.yaml:9:13:") && e.Contains("Unknown action 'no-such-action'"));
        errors.ShouldContain(e => e.StartsWith("policy.yaml:10:") && e.Contains("must be one of: off, band, shadow"));
        errors.ShouldContain(e => e.StartsWith("policy.yaml:12:5:") && e.Contains("Unknown category 'weapons'"));
    }

    [Theory]
    [InlineData("version: 1\npolicy:\n  actions: [x\n", "YAML syntax error")]
    [InlineData("version: 2\n", "'version' must be one of: 1")]
    [InlineData("version: 1\nunknown: true\n", "Unknown key 'unknown'")]
    [InlineData("version: 1\npolicy:\n  thresholds: { refuse: 1.5 }\n", "must be at most 1")]
    [InlineData("version: 1\npolicy:\n  selfPrediction: { userPrompt: 'no placeholder' }\n", "must contain {prompt}")]
    [InlineData("version: 1\nactions:\n  s: { type: shadow }\n", "needs 'of'")]
    [InlineData("version: 1\nactions:\n  s: { type: strict, upstream: nowhere }\n", "upstream 'nowhere', which is not configured")]
    [InlineData("version: 1\noverrides:\n  - { match: { upstream: nowhere }, policy: {} }\n", "matches upstream 'nowhere'")]
    [InlineData("version: 1\nversion: 1\n", "Duplicate key version")]
    [InlineData("", "The file is empty")]
    [InlineData("version: 1\nactions:\n  a: { type: annotate, headers: { content-length: '5' } }\n", "may not set header 'content-length'")]
    [InlineData("version: 1\nactions:\n  a: { type: annotate, headers: { Authorization: 'Bearer x' } }\n", "may not set header 'Authorization'")]
    [InlineData("version: 1\nactions:\n  a: { type: annotate, headers: { x-refusalgate-decision: allow } }\n", "may not set header 'x-refusalgate-decision'")]
    public void Invalid_files_are_rejected_with_a_reason(string yaml, string reason)
    {
        var result = Load(yaml);

        result.Succeeded.ShouldBeFalse();
        result.Errors.ShouldContain(e => e.Message.Contains(reason), string.Join("\n", result.Errors));
    }

    [Fact]
    public void An_unclosed_bracket_is_reported_where_it_opens()
    {
        var result = Load("version: 1\npolicy:\n  thresholds: {refuse: 0.8, comply: 0.2\n  actions: [\n");

        result.Succeeded.ShouldBeFalse();
        result.Errors.Select(e => e.ToString()).ShouldContain(e => e.StartsWith("policy.yaml:3:15:") && e.Contains("this '{' is never closed"), string.Join("\n", result.Errors));
    }

    [Fact]
    public void A_wrong_reference_is_reported_at_the_value_not_the_key()
    {
        var result = Load("""
            version: 1
            actions:
              watch: { type: shadow, of: nothing }
              reroute: { type: strict, upstream: nowhere }
            policy:
              failAction: missing
            overrides:
              - match: { upstream: elsewhere }
            """);

        var errors = result.Errors.Select(e => e.ToString()).ToList();
        errors.ShouldContain(e => e.StartsWith("policy.yaml:3:30:") && e.Contains("shadows 'nothing'"), string.Join("\n", errors));
        errors.ShouldContain(e => e.StartsWith("policy.yaml:4:38:") && e.Contains("upstream 'nowhere'"), string.Join("\n", errors));
        errors.ShouldContain(e => e.StartsWith("policy.yaml:6:15:") && e.Contains("Unknown action 'missing'"), string.Join("\n", errors));
        errors.ShouldContain(e => e.StartsWith("policy.yaml:8:24:") && e.Contains("matches upstream 'elsewhere'"), string.Join("\n", errors));
    }

    [Theory]
    [InlineData("version: 1\n", "no 'tenants' section")]
    [InlineData("version: 1\ntenants:\n  apiKeys: [{ sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, tenant: globex }]\n", "no 'tenants.apiKeys' entry maps to 'acme'")]
    public void A_tenant_override_that_no_request_can_match_is_rejected(string tenants, string reason)
    {
        var result = Load(tenants + "overrides:\n  - name: acme-strict\n    match: { tenant: acme }\n    policy: { actions: { refuse: block } }\n");

        result.Succeeded.ShouldBeFalse();
        result.Errors.ShouldContain(e => e.Message.Contains("Override 'acme-strict'") && e.Message.Contains(reason), string.Join("\n", result.Errors));
    }

    [Theory]
    [InlineData("tenants: { header: x-tenant-id }\n")]
    [InlineData("tenants:\n  apiKeys: [{ sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, tenant: acme }]\n")]
    public void A_tenant_override_is_accepted_when_the_tenant_can_be_recognised(string tenants)
    {
        LoadValid("version: 1\n" + tenants + "overrides:\n  - { match: { tenant: acme }, policy: { actions: { refuse: block } } }\n");
    }

    [Fact]
    public void Two_default_policies_in_one_directory_are_an_error()
    {
        var result = PolicyLoader.Load([("a.yaml", "version: 1\npolicy: {}\n"), ("b.yaml", "version: 1\npolicy: {}\n")], Context);

        result.Errors.ShouldContain(e => e.File == "b.yaml" && e.Message.Contains("already set in a.yaml"));
    }

    [Fact]
    public void Overrides_apply_most_specific_last_and_category_entries_win_within_a_scope()
    {
        var set = LoadValid("""
            version: 1
            tenants: { header: x-tenant-id }
            policy:
              actions: { refuse: block }
              categories:
                suicide_self_harm: { actions: { refuse: constructive } }
            overrides:
              - name: acme
                match: { tenant: acme }
                policy: { actions: { refuse: annotate } }
              - name: gpt-glob
                match: { model: "gpt-*" }
                policy: { actions: { refuse: allow } }
              - name: gpt-4o-exact
                match: { model: "gpt-4o" }
                policy: { actions: { refuse: strict } }
            """);

        set.Resolve(null, "main", "claude").RuleFor("violent_crimes").ActionFor(PolicyZone.Refuse).Type.ShouldBe("block");
        set.Resolve(null, "main", "claude").RuleFor("suicide_self_harm").ActionFor(PolicyZone.Refuse).Type.ShouldBe("constructive");
        set.Resolve(null, "main", "gpt-3.5").RuleFor("violent_crimes").ActionFor(PolicyZone.Refuse).Type.ShouldBe("allow");
        set.Resolve(null, "main", "gpt-4o").RuleFor("violent_crimes").ActionFor(PolicyZone.Refuse).Type.ShouldBe("strict");

        // The tenant outranks any route; its general setting beats the default's category entry (a more specific scope).
        var acme = set.Resolve("acme", "main", "gpt-4o");
        acme.RuleFor("violent_crimes").ActionFor(PolicyZone.Refuse).Type.ShouldBe("annotate");
        acme.RuleFor("suicide_self_harm").ActionFor(PolicyZone.Refuse).Type.ShouldBe("annotate");
        acme.AppliedOverrides.ShouldBe(["gpt-glob", "gpt-4o-exact", "acme"]);
    }

    [Fact]
    public void Shadow_actions_wrap_the_action_they_would_take()
    {
        var set = LoadValid("""
            version: 1
            actions:
              would-block: { type: shadow, of: hard-block }
              hard-block: { type: block, message: "No.", respondWith: error }
            """);

        var shadow = set.Actions["would-block"].ShouldBeOfType<ShadowAction>();
        shadow.Of.Name.ShouldBe("hard-block");
        set.Actions["hard-block"].ShouldBeOfType<DirectAnswerAction>().AsError.ShouldBeTrue();
    }

    [Fact]
    public void Self_prediction_settings_layer_field_by_field()
    {
        var set = LoadValid("""
            version: 1
            policy:
              selfPrediction: { mode: band, timeoutMs: 800, budgetPerMinute: 10 }
              categories:
                cyber_crimes: { selfPrediction: { mode: shadow } }
            """);

        var rule = set.Resolve(null, "main", "m").RuleFor("cyber_crimes");
        rule.SelfPrediction.Mode.ShouldBe(SelfPredictionMode.Shadow);
        rule.SelfPrediction.Timeout.ShouldBe(TimeSpan.FromMilliseconds(800));
        rule.SelfPrediction.BudgetPerMinute.ShouldBe(10);
        rule.SelfPrediction.UserPrompt.ShouldContain("{prompt}");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RefusalGate.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("RefusalGate.sln not found above the test binaries.");
    }
}
