using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.Tests;

public sealed class ModelGlobTests
{
    [Theory]
    [InlineData("gpt-4o", "gpt-4o", true)]
    [InlineData("gpt-4o", "GPT-4O", true)]
    [InlineData("gpt-4o", "gpt-4o-mini", false)]
    [InlineData("gpt-*", "gpt-4o-mini", true)]
    [InlineData("gpt-*", "o1", false)]
    [InlineData("*", "anything", true)]
    [InlineData("*-mini", "gpt-4o-mini", true)]
    [InlineData("llama-*-instruct", "llama-3.1-8b-instruct", true)]
    [InlineData("llama-*-instruct", "llama-3.1-8b", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXcYYb", false)]
    public void Matches_globs_case_insensitively(string pattern, string model, bool expected) =>
        ModelGlob.IsMatch(pattern, model).ShouldBe(expected);

    [Fact]
    public void Exact_names_are_more_specific_than_longer_globs_which_beat_shorter_ones()
    {
        ModelGlob.Specificity("gpt-4o").ShouldBeGreaterThan(ModelGlob.Specificity("gpt-4o*"));
        ModelGlob.Specificity("gpt-4o*").ShouldBeGreaterThan(ModelGlob.Specificity("gpt-*"));
        ModelGlob.Specificity("gpt-*").ShouldBeGreaterThan(ModelGlob.Specificity("*"));
    }
}
