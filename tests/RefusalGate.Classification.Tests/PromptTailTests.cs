using System.Text;
using RefusalGate.Classification.Manifest;
using RefusalGate.Classification.Text;

namespace RefusalGate.Classification.Tests;

/// <summary>Expected values computed with onnx-models/training/common/text.py (prompt_tail), which counts code points.</summary>
public sealed class PromptTailTests
{
    private static readonly ClassifierManifestTail Settings = new() { Chars = 300, WordWindow = 40 };

    [Fact]
    public void A_prompt_no_longer_than_the_tail_is_its_own_tail()
    {
        var prompt = new string('c', 300);
        PromptTail.Of(prompt, Settings).ShouldBeSameAs(prompt);
    }

    [Fact]
    public void The_tail_starts_after_the_first_space_near_the_cut()
    {
        var prompt = new string('x', 50) + " " + string.Concat(Enumerable.Repeat("word ", 60)) + "🌿🌿 final request with emoji 🎉 at the end";

        var tail = PromptTail.Of(prompt, Settings);

        prompt.EndsWith(tail, StringComparison.Ordinal).ShouldBeTrue();
        tail.EnumerateRunes().Count().ShouldBe(295);
        tail.ShouldStartWith("word word");
    }

    [Fact]
    public void Without_a_space_near_the_cut_the_tail_is_the_last_code_points()
    {
        PromptTail.Of(new string('a', 400), Settings).ShouldBe(new string('a', 300));
        PromptTail.Of(new string('b', 350) + " tail words here", Settings).ShouldBe(new string('b', 284) + " tail words here");
    }

    [Fact]
    public void Counts_code_points_not_utf16_units()
    {
        var emoji = char.ConvertFromUtf32(0x1F600);
        var prompt = new string('d', 10) + string.Concat(Enumerable.Repeat(emoji, 305));

        PromptTail.Of(prompt, Settings).ShouldBe(string.Concat(Enumerable.Repeat(emoji, 300)));

        // 160 emoji are 320 UTF-16 units but only 160 code points: shorter than the tail.
        var shortPrompt = string.Concat(Enumerable.Repeat(emoji, 160));
        PromptTail.Of(shortPrompt, Settings).ShouldBe(shortPrompt);
    }

    [Fact]
    public void Lone_surrogates_count_as_one_code_point_and_never_throw()
    {
        // Invalid UTF-16 (a JSON "\ud800" escape) can reach the classifier; Python counts a lone surrogate as one.
        var prompt = new string('e', 100) + "fffff\ud800ffff " + new string('g', 287) + "\udc00g";

        PromptTail.Of(prompt, Settings).ShouldBe(new string('g', 287) + "\udc00g");
    }
}
