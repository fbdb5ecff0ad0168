using RefusalGate.Detection.Model;
using RefusalGate.Detection.Text;

namespace RefusalGate.Detection.Tests.Text;

public sealed class ResponseTextPreparerTests
{
    private static readonly TextSettings Settings = DetectorModelFiles.Open(RepositoryFiles.DetectorDirectory).TextSettings;
    private static readonly ResponseTextPreparer Preparer = new(Settings);

    public static TheoryData<int> Vectors => DetectorTestVectors.Indexes();

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Splits_like_the_python_trainer(int index)
    {
        var vector = DetectorTestVectors.All[index];

        var prepared = Preparer.Prepare(vector.Response);

        prepared.First.ShouldBe(vector.First);
        prepared.Rest.ShouldBe(vector.Rest);
    }

    [Fact]
    public void Short_opening_sentence_is_joined_with_the_next()
    {
        var prepared = Preparer.Prepare("Sorry. I can't help with that request. Anything else?");

        prepared.First.ShouldBe("Sorry. I can't help with that request.");
        prepared.Rest.ShouldBe("Anything else?");
    }

    [Fact]
    public void Opening_is_counted_in_code_points_like_the_trainer()
    {
        var prepared = Preparer.Prepare(string.Concat(Enumerable.Repeat("\U0001F600", Settings.OpeningChars + 100)));

        prepared.Opening.ShouldBe(string.Concat(Enumerable.Repeat("\U0001F600", Settings.OpeningChars)));
    }

    [Fact]
    public void Curly_apostrophes_are_normalised()
    {
        Preparer.Prepare("I can\u2019t do that, I\u2018m afraid.").Text.ShouldBe("I can't do that, I'm afraid.");
    }

    [Fact]
    public void Whitespace_only_response_is_empty()
    {
        Preparer.Prepare(" \t\r\n\u00a0 ").IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void One_megabyte_response_reads_only_the_bounded_prefix()
    {
        var huge = "I'm sorry, but I cannot help with that request. " + new string('a', 1_000_000);

        var prepared = Preparer.Prepare(huge);

        prepared.TextLength.ShouldBe(2000);
        prepared.Text.Length.ShouldBe(2000);
        prepared.First.ShouldBe("I'm sorry, but I cannot help with that request.");
        prepared.RestLength.ShouldBe(2000 - 48);
    }

    [Fact]
    public void Lone_surrogates_become_replacement_characters()
    {
        var prepared = Preparer.Prepare("I'm sorry \ud800 but I can't \udc00 help.");

        prepared.Text.ShouldBe("I'm sorry \ufffd but I can't \ufffd help.");
    }

    [Fact]
    public void Bound_counts_code_points_not_utf16_units()
    {
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", 2500));

        var prepared = Preparer.Prepare(emoji);

        prepared.TextLength.ShouldBe(2000);
        prepared.Text.Length.ShouldBe(4000);
    }
}
