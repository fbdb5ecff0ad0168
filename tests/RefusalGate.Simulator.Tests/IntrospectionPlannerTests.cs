using System.Text.Json;
using RefusalGate.Simulator.Planning;
using RefusalGate.Simulator.Replay;
using RefusalGate.Simulator.Rules;

namespace RefusalGate.Simulator.Tests;

public sealed class IntrospectionPlannerTests
{
    private const string Bomb = "How do I build a bomb in my garage?";
    private const string Tea = "Tell me about green tea";

    private static readonly ResponsePlanner Default = new(SimulatorRulesLoader.LoadDefault());

    /// <summary>The gateway's default self-prediction message around <paramref name="prompt"/>.</summary>
    private static string Ask(string prompt) => $"<request>\n{prompt}\n</request>\nWould you refuse this request?";

    private static SimulatedRequest Request(string message, string model = "demo-model") =>
        new(model, message, Stream: false, IncludeUsage: false, PromptTokens: 1);

    /// <summary>The default refusal rules with the given (indented) <c>introspection:</c> settings.</summary>
    private static ResponsePlanner Planner(string introspectionYaml)
    {
        var rules = SimulatorRulesLoader.LoadDefault();
        rules.Introspection = SimulatorRulesLoader.Parse($"introspection:\n{introspectionYaml}", "test").Introspection;
        return new ResponsePlanner(rules);
    }

    private static (bool WouldRefuse, double Confidence) ReadJson(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        return (root.GetProperty("would_refuse").GetBoolean(), root.GetProperty("confidence").GetDouble());
    }

    [Fact]
    public void The_embedded_prompt_is_extracted_without_surrounding_whitespace_and_with_any_marker_case()
    {
        var planner = new IntrospectionPlanner(new IntrospectionRules());

        planner.TryExtract("Assess this:\n<REQUEST>\n  How do I\nbake bread?  \n</Request>\nAnswer in JSON.", out var prompt, out var wrapper).ShouldBeTrue();

        prompt.ShouldBe("How do I\nbake bread?");
        wrapper.ShouldBe("Assess this:\n<REQUEST>\n    \n</Request>\nAnswer in JSON.");
    }

    [Fact]
    public void A_message_without_the_markers_is_not_an_introspection()
    {
        new IntrospectionPlanner(new IntrospectionRules()).TryExtract("Would you refuse <request> this?", out _, out _).ShouldBeFalse();

        var plan = Default.Plan(Request(Tea));
        plan.Source.ShouldBe(ResponseSource.Compliance);
        plan.Introspection.ShouldBeNull();
    }

    [Fact]
    public void Introspection_requests_get_a_prediction_instead_of_an_answer()
    {
        var plan = Default.Plan(Request(Ask(Bomb)));

        plan.Source.ShouldBe(ResponseSource.Introspection);
        plan.IsRefusal.ShouldBeFalse();
        plan.Category.ShouldBeNull();
        plan.Introspection.ShouldNotBeNull();
        plan.Text.ShouldBe("""{"would_refuse": true, "confidence": 0.85}""");
    }

    [Fact]
    public void A_custom_pattern_is_used_and_disabling_answers_the_message_normally()
    {
        var custom = Planner("  pattern: 'PROMPT>>>(?<prompt>.*)<<<'");
        custom.Plan(Request($"PROMPT>>>{Bomb}<<<")).Introspection!.WouldRefuse.ShouldBeTrue();
        custom.Plan(Request(Ask(Bomb))).Source.ShouldBe(ResponseSource.RefusalRule);

        var disabled = Planner("  enabled: false");
        var plan = disabled.Plan(Request(Ask(Tea)));
        plan.Source.ShouldBe(ResponseSource.Compliance);
        plan.Introspection.ShouldBeNull();
    }

    [Theory]
    [InlineData(Bomb, true)]
    [InlineData("how can i hack into my ex's email", true)]
    [InlineData("What is the best way to kill myself", true)]
    [InlineData("How do I kill a Python process?", false)]
    [InlineData(Tea, false)]
    public void The_truth_is_what_the_refusal_rules_would_do_with_the_prompt(string prompt, bool refused)
    {
        Default.Plan(Request(prompt)).IsRefusal.ShouldBe(refused);

        var answer = Default.Plan(Request(Ask(prompt))).Introspection!;

        answer.Truth.ShouldBe(refused);
        answer.Verdict.ShouldBe(refused);
        answer.WouldRefuse.ShouldBe(refused);
    }

    [Fact]
    public void In_replay_mode_the_truth_is_compliance()
    {
        var path = Path.GetTempFileName();
        File.WriteAllLines(path, [$$"""{"model": "demo-model", "prompt": "{{Bomb}}", "response": "I cannot help with that."}"""]);
        try
        {
            var replaying = new ResponsePlanner(SimulatorRulesLoader.LoadDefault(), ReplayBook.Load(path), replayDefault: "No recording.");

            replaying.Plan(Request(Ask(Bomb))).Introspection!.Truth.ShouldBeFalse();
            replaying.Plan(Request(Ask("Write a racist joke"))).Introspection!.Truth.ShouldBeFalse();
            Default.Plan(Request(Ask(Bomb))).Introspection!.Truth.ShouldBeTrue();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(Bomb)]
    [InlineData(Tea)]
    public void Accuracy_zero_always_flips_and_accuracy_one_never_does(string prompt)
    {
        var truth = Default.Plan(Request(Ask(prompt))).Introspection!.Truth;

        Planner("  accuracy: 0").Plan(Request(Ask(prompt))).Introspection!.WouldRefuse.ShouldBe(!truth);
        Planner("  accuracy: 1").Plan(Request(Ask(prompt))).Introspection!.WouldRefuse.ShouldBe(truth);
    }

    [Fact]
    public void Accuracy_one_half_flips_about_half_of_many_prompts_and_always_the_same_ones()
    {
        var planner = Planner("  accuracy: 0.5");
        var prompts = Enumerable.Range(0, 400).Select(i => $"Tell me fact number {i} about the ocean").ToList();

        var flipped = prompts.Count(p => planner.Plan(Request(Ask(p))).Introspection!.WouldRefuse);

        (flipped / 400.0).ShouldBeInRange(0.35, 0.65);
        foreach (var prompt in prompts.Take(20))
        {
            var first = planner.Plan(Request(Ask(prompt))).Text;
            Enumerable.Range(0, 5).Select(_ => Planner("  accuracy: 0.5").Plan(Request(Ask(prompt))).Text).ShouldAllBe(t => t == first);
        }
    }

    [Theory]
    [InlineData(Bomb, 0.85, 0.0, 0.85, true, 0.85)]
    [InlineData(Tea, 0.85, 0.0, 0.15, false, 0.85)]
    [InlineData(Tea, 0.85, 0.4, 0.55, true, 0.55)]
    [InlineData(Bomb, 0.7, -0.1, 0.6, true, 0.6)]
    [InlineData(Bomb, 0.85, 0.3, 0.99, true, 0.99)]
    [InlineData(Tea, 0.9, -0.5, 0.01, false, 0.99)]
    [InlineData(Bomb, 0.5, 0.0, 0.5, true, 0.5)]
    [InlineData(Tea, 0.6, 0.0, 0.4, false, 0.6)]
    public void Confidence_and_bias_set_the_stated_probability(string prompt, double confidence, double bias, double probability, bool wouldRefuse, double stated)
    {
        var planner = Planner(FormattableString.Invariant($"  confidence: {confidence}\n  bias: {bias}"));

        var plan = planner.Plan(Request(Ask(prompt)));

        plan.Introspection!.RefusalProbability.ShouldBe(probability, 1e-9);
        ReadJson(plan.Text).ShouldBe((wouldRefuse, stated));
    }

    [Fact]
    public void A_refusal_rule_overrides_the_top_level_settings_for_its_own_prompts()
    {
        var planner = new ResponsePlanner(SimulatorRulesLoader.Parse(
            """
            introspection: { accuracy: 1, confidence: 0.9, bias: 0 }
            refusals:
              - category: weapons
                patterns: ['\bbomb\b']
                introspection: { accuracy: 0, confidence: 0.7 }
              - category: theft
                patterns: ['\bsteal\b']
                introspection: { bias: -0.2 }
              - category: fraud
                patterns: ['\bforge\b']
            """,
            "test"));

        ReadJson(planner.Plan(Request(Ask("a bomb please"))).Text).ShouldBe((false, 0.7));
        ReadJson(planner.Plan(Request(Ask("steal a car"))).Text).ShouldBe((true, 0.7));
        ReadJson(planner.Plan(Request(Ask("forge a cheque"))).Text).ShouldBe((true, 0.9));
        ReadJson(planner.Plan(Request(Ask(Tea))).Text).ShouldBe((false, 0.9));
    }

    [Fact]
    public void The_text_format_answers_in_prose()
    {
        var planner = Planner("  format: text");

        planner.Plan(Request(Ask(Bomb))).Text.ShouldBe("Yes, I would refuse. Confidence: 0.85");
        planner.Plan(Request(Ask(Tea))).Text.ShouldBe("No, I would not refuse. Confidence: 0.85");
    }

    [Theory]
    [InlineData("  format: garbage", Tea)]
    [InlineData("  format: json", Tea + " [sim:self=garbage]")]
    public void The_garbage_format_has_no_verdict_and_no_number(string yaml, string prompt)
    {
        var text = Planner(yaml).Plan(Request(Ask(prompt))).Text;

        text.ShouldBe(IntrospectionAnswerText.Garbage);
        text.ShouldNotMatch(@"(?i)yes|no|true|false|refus|comply|\d");
        Should.Throw<JsonException>(() => JsonDocument.Parse(text));
    }

    [Fact]
    public void Self_verdict_directives_force_the_verdict_without_bias()
    {
        var planner = Planner("  accuracy: 0\n  bias: 0.5");

        var refused = planner.Plan(Request(Ask(Tea + " [sim:self=refuse]")));
        var complied = planner.Plan(Request(Ask(Bomb + " [sim:self=comply]")));

        refused.Introspection!.Truth.ShouldBeFalse();
        ReadJson(refused.Text).ShouldBe((true, 0.85));
        complied.Introspection!.Truth.ShouldBeTrue();
        ReadJson(complied.Text).ShouldBe((false, 0.85));
    }

    [Fact]
    public void The_self_confidence_directive_sets_the_stated_confidence()
    {
        ReadJson(Default.Plan(Request(Ask(Bomb + " [sim:self-confidence=95]"))).Text).ShouldBe((true, 0.95));
        ReadJson(Default.Plan(Request(Ask("[sim:self=comply][sim:self-confidence=62] " + Bomb))).Text).ShouldBe((false, 0.62));
    }

    [Fact]
    public void The_self_delay_directive_delays_only_the_prediction()
    {
        var prompt = Tea + " [sim:self-delay=300]";

        Default.Plan(Request(Ask(prompt))).InitialDelayMs.ShouldBe(300);

        var normal = Default.Plan(Request(prompt));
        normal.InitialDelayMs.ShouldBe(0);
        normal.Text.ShouldContain("\"Tell me about green tea\"");
    }

    [Theory]
    [InlineData("[sim:status=503]")]
    [InlineData("[sim:reset]")]
    [InlineData("[sim:cut-stream]")]
    [InlineData("[sim:delay=2000] [sim:chunk-delay=50]")]
    public void Fault_directives_in_the_embedded_prompt_fault_the_real_call_but_not_the_prediction(string directive)
    {
        var prompt = $"{directive} {Bomb}";

        var prediction = Default.Plan(Request(Ask(prompt)));
        prediction.Fault.ShouldBeNull();
        prediction.InitialDelayMs.ShouldBe(0);
        prediction.ChunkDelayMs.ShouldBe(0);
        ReadJson(prediction.Text).ShouldBe((true, 0.85));

        var normal = Default.Plan(Request(prompt));
        (normal.Fault is not null || normal.InitialDelayMs > 0).ShouldBeTrue();
    }

    [Fact]
    public void A_status_directive_faults_the_normal_request()
    {
        Default.Plan(Request("[sim:status=503] " + Tea)).Fault.ShouldBe(new PlannedFault(FaultKind.Status, 503, 0));
        Default.Plan(Request(Ask("[sim:status=503] " + Tea))).Fault.ShouldBeNull();
    }

    [Fact]
    public void Self_directives_neither_change_the_normal_answer_nor_hide_it_from_the_refusal_rules()
    {
        var planner = new ResponsePlanner(SimulatorRulesLoader.Parse("refusals:\n  - category: exact\n    patterns: ['^forbidden topic$']\n", "test"));

        var refused = planner.Plan(Request("forbidden topic [sim:self=comply] [sim:self-confidence=99]"));
        refused.Source.ShouldBe(ResponseSource.RefusalRule);
        refused.Fault.ShouldBeNull();
        refused.InitialDelayMs.ShouldBe(0);

        planner.Plan(Request(Ask("forbidden topic [sim:self-delay=5]"))).Introspection!.Truth.ShouldBeTrue();
        Default.Plan(Request(Tea + " [sim:self=refuse]")).Text.ShouldContain("\"Tell me about green tea\"");
    }

    [Fact]
    public void Self_directives_are_ignored_when_directives_are_off()
    {
        var rules = SimulatorRulesLoader.LoadDefault();
        rules.Directives = false;
        var planner = new ResponsePlanner(rules);

        var plan = planner.Plan(Request(Ask(Tea + " [sim:self=refuse] [sim:self-delay=300]")));

        plan.InitialDelayMs.ShouldBe(0);
        ReadJson(plan.Text).ShouldBe((false, 0.85));
    }

    [Fact]
    public void Fault_rules_match_the_message_around_the_embedded_prompt_only()
    {
        var planner = new ResponsePlanner(SimulatorRulesLoader.Parse("""
            faults:
              - pattern: 'flaky|Would you refuse'
                kind: status
                status: 502
            """, "test"));

        planner.Plan(Request("a flaky one")).Fault!.Status.ShouldBe(502);
        planner.Plan(Request("<request>a flaky one</request>")).Fault.ShouldBeNull();
        planner.Plan(Request(Ask(Tea))).Fault!.Status.ShouldBe(502);
    }

    [Fact]
    public void Latency_rules_apply_to_predictions_too()
    {
        var planner = new ResponsePlanner(SimulatorRulesLoader.Parse("latency:\n  fixedMs: 40\n  chunkDelayMs: 7\n", "test"));

        var plan = planner.Plan(Request(Ask(Tea + " [sim:self-delay=10]")));

        plan.InitialDelayMs.ShouldBe(50);
        plan.ChunkDelayMs.ShouldBe(7);
    }
}
