using RefusalGate.Gateway.OutcomeLog;

namespace RefusalGate.Gateway.Tests.OutcomeLog;

public sealed class StoredPromptTests
{
    [Theory]
    [InlineData("short", 10, "short", false)]
    [InlineData("exactly10!", 10, "exactly10!", false)]
    [InlineData("eleven char", 10, "eleven cha", true)]
    [InlineData("abc\U0001F600def", 4, "abc", true)]
    [InlineData("abc\U0001F600def", 5, "abc\U0001F600", true)]
    [InlineData("\U0001F600", 1, "", true)]
    [InlineData("anything", 0, "", true)]
    [InlineData("anything", -3, "", true)]
    public void A_prompt_is_cut_at_the_limit_without_splitting_a_surrogate_pair(string prompt, int limit, string stored, bool truncated)
    {
        var result = StoredPrompt.Of(prompt, limit);

        result.Text.ShouldBe(stored);
        result.Truncated.ShouldBe(truncated);
        result.OriginalLength.ShouldBe(prompt.Length);
    }
}
