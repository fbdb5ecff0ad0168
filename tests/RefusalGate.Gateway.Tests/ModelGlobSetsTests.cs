using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.Tests;

public sealed class ModelGlobSetsTests
{
    private static HashSet<ulong> Sets(params string[] patterns) =>
        [.. ModelGlobSets.Reachable(patterns, 10_000)!.Select(s => s.Matches)];

    [Fact]
    public void Disjoint_prefixes_never_match_together()
    {
        Sets("gpt-*", "claude-*").ShouldBe([0b00UL, 0b01UL, 0b10UL], ignoreOrder: true);
    }

    [Fact]
    public void A_prefix_and_a_suffix_overlap_and_a_star_always_comes_along()
    {
        Sets("gpt-*", "*-mini", "*").ShouldBe([0b100UL, 0b101UL, 0b110UL, 0b111UL], ignoreOrder: true);
    }

    [Fact]
    public void An_exact_name_matches_together_with_the_globs_that_cover_it_ignoring_case()
    {
        Sets("GPT-4o", "gpt-*", "*o").ShouldContain(0b111UL);
        Sets("gpt-4o", "gpt-4o-*").ShouldNotContain(0b11UL);
    }

    [Fact]
    public void Too_many_states_is_reported_rather_than_cut_short()
    {
        ModelGlobSets.Reachable([.. Enumerable.Range(0, 12).Select(i => $"*{(char)('a' + i)}{(char)('a' + i)}*")], 100).ShouldBeNull();
    }

    [Fact]
    public void Every_set_found_is_what_its_example_matches_and_every_name_tried_finds_its_set()
    {
        // Checked against the matcher the gateway uses on requests, over random patterns and names from a small alphabet.
        var random = new Random(20260101);
        for (var round = 0; round < 200; round++)
        {
            var patterns = Enumerable.Range(0, random.Next(1, 6)).Select(_ => Word(random, "ab-*", random.Next(1, 5))).ToArray();
            var sets = ModelGlobSets.Reachable(patterns, 10_000)!;

            foreach (var set in sets)
            {
                Signature(patterns, set.Example).ShouldBe(set.Matches, $"{string.Join(' ', patterns)}: '{set.Example}'");
            }

            var found = sets.Select(s => s.Matches).ToHashSet();
            for (var i = 0; i < 100; i++)
            {
                var name = Word(random, "abAB-x", random.Next(1, 8));
                found.ShouldContain(Signature(patterns, name), $"{string.Join(' ', patterns)}: '{name}'");
            }
        }
    }

    private static ulong Signature(string[] patterns, string model) =>
        patterns.Select((p, i) => ModelGlob.IsMatch(p, model) ? 1UL << i : 0).Aggregate(0UL, (a, b) => a | b);

    private static string Word(Random random, string letters, int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => letters[random.Next(letters.Length)])]);
}
