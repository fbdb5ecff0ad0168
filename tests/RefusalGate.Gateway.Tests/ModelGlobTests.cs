using System.Text.RegularExpressions;
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
    [InlineData("a**", "a", true)]
    [InlineData("*a", "bab", false)]
    [InlineData("*ab*ab", "xabyabab", true)]
    [InlineData("gpt-*-mini*", "GPT-4o-MINI-2024", true)]
    public void Matches_globs_case_insensitively(string pattern, string model, bool expected) =>
        ModelGlob.IsMatch(pattern, model).ShouldBe(expected);

    [Fact]
    public void Exact_names_are_more_specific_than_longer_globs_which_beat_shorter_ones()
    {
        ModelGlob.Specificity("gpt-4o").ShouldBeGreaterThan(ModelGlob.Specificity("gpt-4o*"));
        ModelGlob.Specificity("gpt-4o*").ShouldBeGreaterThan(ModelGlob.Specificity("gpt-*"));
        ModelGlob.Specificity("gpt-*").ShouldBeGreaterThan(ModelGlob.Specificity("*"));
    }

    // Against a reference written another way (a regular expression), over many small patterns and names drawn from a
    // three-letter alphabet, where stars, repeats and near-misses are common.
    [Fact]
    public void Agrees_with_a_regular_expression_on_random_patterns_and_names()
    {
        var random = new Random(20261124);
        string Draw(string alphabet, int maxLength) =>
            new([.. Enumerable.Range(0, random.Next(maxLength + 1)).Select(_ => alphabet[random.Next(alphabet.Length)])]);

        for (var i = 0; i < 20_000; i++)
        {
            var pattern = Draw("ab*A", 6);
            var model = Draw("abB", 8);
            var reference = Regex.IsMatch(model, "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal) + "$",
                RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);

            ModelGlob.IsMatch(pattern, model).ShouldBe(reference, $"'{pattern}' against '{model}'");
        }
    }

    // A client chooses the model name: with several stars, a recursive matcher's work grows as the name's length to the
    // power of their number (on the recursive matcher this test had not ended after 90 s); the matcher does at most
    // pattern × name steps.
    [Fact]
    public void A_long_name_against_many_stars_is_decided()
    {
        ModelGlob.IsMatch("*a*a*a*a*a*b", new string('a', 5_000)).ShouldBeFalse();
        ModelGlob.IsMatch("*a*a*a*a*a*b", new string('a', 5_000) + "b").ShouldBeTrue();
    }
}
