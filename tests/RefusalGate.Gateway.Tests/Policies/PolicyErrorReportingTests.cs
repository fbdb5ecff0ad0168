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
    public void Values_of_the_wrong_type_do_not_hide_the_other_errors_of_the_file()
    {
        FailsWith(
            """
            version: 1
            actions:
              careful:
                type: strict
                temperature: warm
            policy:
              thresholds: [0.8, 0.2]
              actions:
                refuse: no-such-action
              selfPrediction:
                timeoutMs: soon
              categories:
                weapons: {}
            overrides:
              - not a mapping
              - match: { upstream: nowhere }
                policy: { failAction: missing }
            """,
            "5:18 'actions.careful.temperature' must be a number.",
            "7:15 'policy.thresholds' must be a mapping.",
            "9:13 Unknown action 'no-such-action'",
            "11:16 'policy.selfPrediction.timeoutMs' must be a whole number.",
            "13:5 Unknown category 'weapons'",
            "15:5 'overrides[0]' must be a mapping.",
            "16:24 Override 'policy.yaml#2' matches upstream 'nowhere'",
            "17:27 Unknown action 'missing'");
    }

    [Fact]
    public void A_value_the_schema_rejected_causes_no_follow_up_errors()
    {
        // A refuse threshold below 0 is out of range; it must not also be reported as "comply is above refuse", and a
        // zone action that is no valid name must not also be an unknown action.
        FailsWith(
            """
            version: 1
            policy:
              thresholds: { refuse: -0.5 }
              actions: { refuse: Block }
            """,
            "3:25 'policy.thresholds.refuse' must be at least 0.",
            "4:22 'policy.actions.refuse' does not match the pattern");
    }

    [Theory]
    [InlineData("policy:\n  selfPrediction:\n    budgetPerMinute: 99999999999\n", "4:22 'policy.selfPrediction.budgetPerMinute' must be at most 2147483647.", 6)]
    [InlineData("actions:\n  a: { type: strict, maxTokens: 99999999999 }\n", "3:33 'actions.a.maxTokens' must be at most 2147483647.", 5)]
    public void A_whole_number_too_large_to_read_is_an_error_not_a_crash(string yaml, string expected, int overrideLine)
    {
        FailsWith("version: 1\n" + yaml + "overrides:\n  - { match: { upstream: nowhere }, policy: {} }\n", expected, $"{overrideLine}:26 Override 'policy.yaml#1' matches upstream 'nowhere'");
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

    [Theory]
    [InlineData("policy:\n  thresholds:\n    refuse: 0.3\n    comply: 0.6\n", "5:13")]
    [InlineData("policy:\n  thresholds: { comply: 0.6, refuse: 0.3 }\n", "3:25")]
    [InlineData("policy:\n  categories:\n    cyber_crimes:\n      thresholds: { refuse: 0.3, comply: 0.6 }\n", "5:42")]
    [InlineData("overrides:\n  - match: { model: gpt-* }\n    policy: { thresholds: { refuse: 0.3, comply: 0.6 } }\n", "4:50")]
    public void A_threshold_inversion_in_one_entry_is_reported_once_at_the_comply_value(string yaml, string at)
    {
        FailsWith("version: 1\n" + yaml, $"{at} The comply threshold (0.6) is above the refuse threshold (0.3)");
    }

    [Fact]
    public void An_action_that_cannot_be_built_is_one_error_not_one_per_reference()
    {
        // 'reroute' names an upstream that is not configured: that is the one mistake. The shadow of it and the zones
        // naming either are consequences, not further mistakes; 'blokc' is a separate one.
        FailsWith(
            """
            version: 1
            actions:
              reroute: { type: strict, upstream: nowhere }
              watch: { type: shadow, of: reroute }
              odd: { type: sometimes }
            policy:
              failAction: reroute
              actions:
                uncertain: reroute
                refuse: watch
                comply: odd
              categories:
                cyber_crimes: { actions: { refuse: blokc } }
            """,
            "3:38 Action 'reroute' routes to upstream 'nowhere', which is not configured",
            "5:16 'actions.odd.type' must be one of:",
            "13:40 Unknown action 'blokc' (defined: allow, annotate, block, constructive, odd, reroute, strict, watch).");
    }

    [Fact]
    public void An_action_with_a_setting_of_the_wrong_type_is_still_defined()
    {
        FailsWith(
            """
            version: 1
            actions:
              careful: { type: strict, maxTokens: lots }
            policy:
              actions: { uncertain: careful }
            """,
            "3:39 'actions.careful.maxTokens' must be a whole number.");
    }

    [Fact]
    public void A_shadow_of_a_shadow_is_named_as_such_whatever_the_order_of_declaration()
    {
        // Shadows are built after the other actions; the one named here was declared later but is a shadow all the same.
        FailsWith(
            """
            version: 1
            actions:
              first: { type: shadow, of: second }
              second: { type: shadow, of: block }
            """,
            "3:30 Action 'first' shadows another shadow action ('second'); shadow a real action.");
    }

    [Fact]
    public void An_override_whose_match_is_wrong_still_has_its_policy_checked()
    {
        FailsWith(
            """
            version: 1
            overrides:
              - match: gpt-4o
                policy: { actions: { refuse: nope } }
              - policy: { failAction: missing }
            """,
            "3:12 'overrides[0].match' must be a mapping.",
            "4:34 Unknown action 'nope'",
            "5:5 'match' is required in 'overrides[1]'.",
            "5:27 Unknown action 'missing'");
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
    public void Thresholds_inverted_across_layers_are_reported_alongside_other_errors()
    {
        FailsWith(
            """
            version: 1
            tenants: { header: x-tenant-id }
            policy:
              actions: { refuse: blokc }
            overrides:
              - { name: acme, match: { tenant: acme }, policy: { thresholds: { comply: 0.7 } } }
              - { name: route, match: { upstream: strict }, policy: { thresholds: { refuse: 0.4 } } }
            """,
            "4:22 Unknown action 'blokc'",
            "6:76 The comply threshold 0.7 from override 'acme' (policy.yaml:6:76) is above the refuse threshold 0.4 from override 'route' (policy.yaml:7:81)");
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
    public void Too_many_overrides_are_reported_at_the_first_one_over_the_limit()
    {
        var overrides = string.Concat(Enumerable.Range(0, PolicySet.MaxOverrides + 2).Select(i => $"  - {{ match: {{ model: m{i} }}, policy: {{}} }}\n"));

        FailsWith("version: 1\noverrides:\n" + overrides, $"{PolicySet.MaxOverrides + 3}:5 {PolicySet.MaxOverrides + 2} overrides; at most {PolicySet.MaxOverrides}");
    }

    [Theory]
    [InlineData("- version: 1\n")]
    [InlineData("version 1\n")]
    public void A_file_that_is_not_a_mapping_says_so_plainly(string yaml)
    {
        FailsWith(yaml, "1:1 The file must be a mapping of settings, starting with 'version: 1'.");
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

    [Fact]
    public void Names_used_as_keys_follow_the_schemas_patterns_one_error_per_key()
    {
        // NJsonSchema ignores propertyNames; the loader applies the schema's key patterns itself, at the key.
        FailsWith(
            """
            version: 1
            actions:
              Loud: { type: allow }
              noted: { type: annotate, headers: { "x bad": yes, x-fine: ok, "x\u00e9": no } }
            policy:
              thresholds: { refuse: 2 }
              categories:
                Violent Crimes: { thresholds: { refuse: 0.9 } }
                violent_crimes: {}
            """,
            "3:3 The key 'Loud' in 'actions' does not match the pattern ^[a-z0-9][a-z0-9_-]{0,62}$ (lower-case letters, digits, '_' and '-').",
            "4:39 The key 'x bad' in 'actions.noted.headers' does not match the pattern ^[A-Za-z0-9-]+$ (letters, digits and '-').",
            "4:65 The key 'x\u00e9' in 'actions.noted.headers' does not match the pattern ^[A-Za-z0-9-]+$ (letters, digits and '-').",
            "6:25 'policy.thresholds.refuse' must be at most 1.",
            "8:5 The key 'Violent Crimes' in 'policy.categories' does not match the pattern ^[a-z0-9][a-z0-9_-]{0,62}$ (lower-case letters, digits, '_' and '-').");
    }

    [Fact]
    public void Key_patterns_apply_in_overrides_too_and_a_name_the_pattern_rejects_is_not_used()
    {
        FailsWith(
            """
            version: 1
            actions:
              "": { type: block }
            overrides:
              - match: { model: "gpt-*" }
                policy:
                  categories:
                    cyber crimes: { actions: { refuse: block } }
            """,
            "3:3 The key '' in 'actions' does not match the pattern ^[a-z0-9][a-z0-9_-]{0,62}$",
            "8:9 The key 'cyber crimes' in 'overrides[0].policy.categories' does not match the pattern");
    }

    [Fact]
    public void A_second_tenants_section_names_the_file_and_place_of_the_first()
    {
        var result = PolicyLoader.Load(
            [("a.yaml", "version: 1\n\ntenants: { header: x-a }\n"), ("b.yaml", "version: 1\ntenants: { header: x-b }\n")],
            Context);

        result.Errors.Select(e => e.ToString()).ShouldBe(["b.yaml:2:1: 'tenants' is already configured in a.yaml:3:1; a policy directory has one 'tenants' section."]);
    }

    [Fact]
    public void A_second_default_policy_or_action_names_the_place_of_the_first()
    {
        var result = PolicyLoader.Load(
            [("a.yaml", "version: 1\nactions:\n  quiet: { type: allow }\npolicy: {}\n"), ("b.yaml", "version: 1\npolicy: {}\nactions:\n  quiet: { type: block }\n")],
            Context);

        result.Errors.Select(e => e.ToString()).ShouldBe(
        [
            "b.yaml:2:1: A default policy is already set in a.yaml:4:1; a policy directory has exactly one 'policy'.",
            "b.yaml:4:3: Action 'quiet' is already defined in a.yaml:3:3.",
        ]);
    }

    [Theory]
    [InlineData("version: 2\n", "1:10 'version' must be one of: 1.")]
    [InlineData("version: !!binary aGVsbG8=\n", "1:10 'version' must be one of: 1.")]
    public void A_wrong_version_is_one_error(string yaml, string expected)
    {
        FailsWith(yaml, expected);
    }

    [Theory]
    [InlineData(40)]
    [InlineData(100_000)]
    public void Nesting_deeper_than_a_policy_needs_is_one_error_not_a_stack_overflow(int depth)
    {
        // Root mapping is level 1, so the 32nd '[' (column 4 + 31) is the first node below the limit.
        FailsWith(
            "version: 1\nx: " + new string('[', depth) + new string(']', depth) + "\n",
            $"2:35 YAML nested more than {YamlDocumentReader.MaxDepth} levels deep; a policy file needs fewer than 10.");
    }

    [Fact]
    public void Aliases_that_multiply_the_document_are_one_error_at_the_alias_that_crosses_the_limit()
    {
        // A "billion laughs" file: each level repeats the previous one ten times.
        var lines = new List<string> { "version: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i <= 8; i++)
        {
            lines.Add($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]");
        }

        // 12,353 values up to a4's '['; each *a3 adds 11,111, so the 8th one (column 10 + 7 * 5) crosses 100,000.
        FailsWith(
            string.Join("\n", lines) + "\n",
            $"6:45 The file expands to more than {YamlDocumentReader.MaxValues} values (an alias counts as every value it repeats); a policy file has a few hundred.");
    }

    [Fact]
    public void Model_patterns_that_combine_in_too_many_ways_are_reported_at_the_first_pattern()
    {
        // Each "*x*" doubles the cases (a model name has x or not): 15 of them make 32,768.
        var overrides = string.Concat("abcdefghijklmno".Select(c => $"  - {{ match: {{ model: \"*{c}*\" }}, policy: {{ thresholds: {{ refuse: 0.9 }} }} }}\n"));

        FailsWith("version: 1\noverrides:\n" + overrides, "3:23 The model patterns of the overrides that set thresholds combine in too many ways");
    }

    [Fact]
    public void A_header_value_no_response_can_carry_is_rejected_at_the_value()
    {
        // Kestrel refuses such a value when the response is written: every request in that zone got a 500.
        FailsWith(
            """
            version: 1
            actions:
              note: { type: annotate, headers: { x-a: "café", x-b: "line\nbreak", x-c: "fine\ttab" } }
            """,
            "3:43 Action 'note' may not set header 'x-a' to this value: it has 'é', which is not ASCII; a response header carries printable ASCII only.",
            "3:56 Action 'note' may not set header 'x-b' to this value: it has a line break; a response header carries printable ASCII only.");
    }
}
