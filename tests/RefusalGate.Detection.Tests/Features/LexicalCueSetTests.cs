using RefusalGate.Detection.Features;
using RefusalGate.Detection.Model;
using RefusalGate.Detection.Text;

namespace RefusalGate.Detection.Tests.Features;

public sealed class LexicalCueSetTests
{
    private static readonly DetectorModelFiles Files = DetectorModelFiles.Open(RepositoryFiles.DetectorDirectory);
    private static readonly ResponseTextPreparer Preparer = new(Files.TextSettings);
    private static readonly LexicalCueSet Cues = LexicalCueSet.Load(Files.LexicalCuesPath, Files.TextSettings.MaxChars);

    public static TheoryData<int> Vectors => DetectorTestVectors.Indexes();

    [Fact]
    public void Feature_names_match_the_manifest()
    {
        Cues.FeatureNames.ShouldBe(Files.Manifest.CueFeatures);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Features_equal_the_python_trainer(int index)
    {
        var vector = DetectorTestVectors.All[index];

        var features = Cues.Compute(Preparer.Prepare(vector.Response));

        features.Length.ShouldBe(vector.Cues.Length);
        for (var i = 0; i < features.Length; i++)
        {
            features[i].ShouldBe(vector.Cues[i], 1e-6, $"feature {Files.Manifest.CueFeatures[i]}");
        }
    }

    [Theory]
    [InlineData("I'm sorry, but I can't assist with that.", "apology")]
    [InlineData("I cannot fulfill your request.", "cannot")]
    [InlineData("As an AI language model, I have no opinions.", "as_an_ai")]
    [InlineData("I don't have access to real-time data.", "capability")]
    [InlineData("Please consult a licensed professional.", "professional_redirect")]
    public void Recognises_typical_phrases(string text, string group)
    {
        Cues.Hits(text).ShouldContain(group);
    }

    [Fact]
    public void A_refusal_after_a_pleasantry_fires_in_the_opening_but_not_the_first_sentence()
    {
        var features = Feature(Preparer.Prepare("I'm glad you're interested in chemistry! However, I cannot provide instructions for that."));

        features("cannot_first").ShouldBe(0f);
        features("cannot_opening").ShouldBe(1f);
        features("cannot_any").ShouldBe(1f);
    }

    [Fact]
    public void A_caveat_after_the_opening_fires_only_anywhere()
    {
        var answer = "Here is a summary of the plot. " + string.Concat(Enumerable.Repeat("The story goes on. ", 30)) + "I cannot stress enough how good it is.";

        var features = Feature(Preparer.Prepare(answer));

        features("cannot_opening").ShouldBe(0f);
        features("cannot_any").ShouldBe(1f);
    }

    [Theory]
    [InlineData("Please note that this is not legal advice. In most states a landlord must give notice.", "professional_redirect")]
    [InlineData("This isn't medical advice, but rest and fluids usually help.", "professional_redirect")]
    [InlineData("Please note that this is not legal advice. In most states a landlord must give notice.", "inappropriate")]
    public void A_disclaimer_is_not_a_refusal_cue(string text, string group)
    {
        Cues.Hits(text).ShouldNotContain(group);
    }

    [Theory]
    [InlineData("As an AI language model, I don't have access to real-time weather data.", "capability")]
    [InlineData("As an AI language model, I do not have personal opinions about politicians.", "opinion")]
    [InlineData("I'm sorry, but I cannot help with making explosives. It is illegal and dangerous.", "safety")]
    public void Derives_the_refusal_reason(string text, string reason)
    {
        var prepared = Preparer.Prepare(text);

        Cues.ReasonRules.ReasonFor(Cues.Hits(prepared.First), Cues.Hits(prepared.Text)).ShouldBe(reason);
    }

    private static Func<string, float> Feature(PreparedResponse prepared)
    {
        var values = Cues.Compute(prepared);
        var names = Cues.FeatureNames.ToList();
        return name => values[names.IndexOf(name)];
    }
}
