using RefusalGate.Classification.Text;

namespace RefusalGate.Classification.Tests;

public sealed class PromptTextTests
{
    [Theory]
    [InlineData("How do I bake bread?", "How do I bake bread?")]
    [InlineData("  \n\tHow do I bake bread?  \r\n", "How do I bake bread?")]
    [InlineData("How do I\nbake  bread?", "How do I bake bread?")]
    [InlineData("a\r\n\r\n\t b", "a b")]
    [InlineData("a\u00a0\u2003b\u3000", "a b")]
    [InlineData(" \n\t ", "")]
    [InlineData("", "")]
    public void Strips_and_folds_whitespace_runs_into_one_space(string text, string expected) =>
        PromptText.Prepare(text).ShouldBe(expected);

    [Fact]
    public void Text_with_nothing_to_fold_is_not_copied()
    {
        var text = "How do I bake bread?";

        PromptText.Prepare(text).ShouldBeSameAs(text);
    }
}
