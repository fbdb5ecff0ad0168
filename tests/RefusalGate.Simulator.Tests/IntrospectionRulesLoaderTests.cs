using RefusalGate.Simulator.Rules;

namespace RefusalGate.Simulator.Tests;

public sealed class IntrospectionRulesLoaderTests
{
    [Fact]
    public void The_default_rules_file_states_the_built_in_defaults()
    {
        var loaded = SimulatorRulesLoader.LoadDefault().Introspection;
        var builtIn = new IntrospectionRules();

        loaded.Enabled.ShouldBe(builtIn.Enabled);
        loaded.Pattern.ShouldBe(IntrospectionRules.DefaultPattern);
        loaded.Accuracy.ShouldBe(builtIn.Accuracy);
        loaded.Confidence.ShouldBe(builtIn.Confidence);
        loaded.Bias.ShouldBe(builtIn.Bias);
        loaded.Format.ShouldBe(builtIn.Format);
    }

    [Fact]
    public void A_file_without_an_introspection_section_gets_the_defaults()
    {
        SimulatorRulesLoader.Parse("directives: true\n", "rules.yaml").Introspection.Accuracy.ShouldBe(1.0);
        SimulatorRulesLoader.Parse("introspection:\n", "rules.yaml").Introspection.Confidence.ShouldBe(0.85);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var rules = SimulatorRulesLoader.Parse("""
            introspection:
              enabled: false
              pattern: '<<(?<prompt>.*)>>'
              accuracy: 0.75
              confidence: 0.6
              bias: -0.25
              format: text
            refusals:
              - category: weapons
                patterns: ['bomb']
                introspection: { accuracy: 0.5, confidence: 0.95, bias: 0.1 }
            """, "rules.yaml");

        var introspection = rules.Introspection;
        (introspection.Enabled, introspection.Pattern, introspection.Accuracy, introspection.Confidence, introspection.Bias, introspection.Format)
            .ShouldBe((false, "<<(?<prompt>.*)>>", 0.75, 0.6, -0.25, IntrospectionFormat.Text));
        var overrides = rules.Refusals.Single().Introspection!;
        (overrides.Accuracy, overrides.Confidence, overrides.Bias).ShouldBe((0.5, 0.95, 0.1));
    }

    [Theory]
    [InlineData("pattern: '<request>(.*)</request>'", "named group (?<prompt>...)")]
    [InlineData("pattern: '<request>(?<prompt>.*</request>'", "invalid introspection pattern")]
    [InlineData("accuracy: 1.5", "introspection accuracy 1.5 is not in [0, 1]")]
    [InlineData("accuracy: .nan", "introspection accuracy NaN is not in [0, 1]")]
    [InlineData("confidence: -0.1", "introspection confidence -0.1 is not in [0, 1]")]
    [InlineData("bias: 1.5", "introspection bias 1.5 is not in [-1, 1]")]
    [InlineData("format: xml", "rules.yaml:")]
    public void Invalid_settings_are_reported(string line, string message)
    {
        var ex = Should.Throw<SimulatorRulesException>(() => SimulatorRulesLoader.Parse($"introspection:\n  {line}\n", "rules.yaml"));

        ex.Message.ShouldStartWith("rules.yaml:");
        ex.Message.ShouldContain(message);
    }

    [Theory]
    [InlineData("accuracy: -1", "rules.yaml: refusal rule 'weapons': introspection accuracy -1 is not in [0, 1]")]
    [InlineData("confidence: 2", "rules.yaml: refusal rule 'weapons': introspection confidence 2 is not in [0, 1]")]
    [InlineData("bias: -1.01", "rules.yaml: refusal rule 'weapons': introspection bias -1.01 is not in [-1, 1]")]
    public void Invalid_rule_overrides_are_reported_with_their_category(string setting, string message)
    {
        var yaml = $"refusals:\n  - category: weapons\n    patterns: ['bomb']\n    introspection: {{ {setting} }}\n";

        Should.Throw<SimulatorRulesException>(() => SimulatorRulesLoader.Parse(yaml, "rules.yaml")).Message.ShouldContain(message);
    }
}
