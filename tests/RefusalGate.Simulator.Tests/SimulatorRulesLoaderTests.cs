using RefusalGate.Simulator.Hosting;
using RefusalGate.Simulator.Rules;

namespace RefusalGate.Simulator.Tests;

public sealed class SimulatorRulesLoaderTests
{
    [Fact]
    public void Default_rules_load_and_cover_several_categories()
    {
        var rules = SimulatorRulesLoader.LoadDefault();

        rules.Refusals.Select(r => r.Category).Distinct().Count().ShouldBeGreaterThanOrEqualTo(4);
        rules.Directives.ShouldBeTrue();
    }

    [Fact]
    public void Yaml_errors_name_the_source_and_line()
    {
        var ex = Should.Throw<SimulatorRulesException>(() => SimulatorRulesLoader.Parse("latency:\n  fixedMs: [oops\n", "rules.yaml"));

        ex.Message.ShouldStartWith("rules.yaml:");
    }

    [Fact]
    public void Invalid_patterns_are_reported()
    {
        var ex = Should.Throw<SimulatorRulesException>(() => SimulatorRulesLoader.Parse("refusals:\n  - category: x\n    patterns: ['(unclosed']\n", "rules.yaml"));

        ex.Message.ShouldContain("(unclosed");
    }

    [Theory]
    [InlineData("Sure. Here is a short answer for you today.", 3)]
    [InlineData("one", 3)]
    [InlineData("", 3)]
    [InlineData("  leading and  double  spaces ", 2)]
    public void Stream_chunks_concatenate_to_the_original_text(string text, int wordsPerChunk)
    {
        string.Concat(SimulatorEndpoints.SplitIntoChunks(text, wordsPerChunk)).ShouldBe(text);
    }
}
