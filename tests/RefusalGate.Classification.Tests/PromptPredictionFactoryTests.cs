using RefusalGate.Classification.Prediction;

namespace RefusalGate.Classification.Tests;

public sealed class PromptPredictionFactoryTests
{
    private static readonly string[] Categories = ["hate", "privacy", "violent_crimes"];
    private readonly PromptPredictionFactory _factory = new(Categories, 0.5f);

    [Fact]
    public void Refusal_reports_its_probability_as_confidence_and_the_top_category()
    {
        var prediction = _factory.Create(0.8f, [0.1f, 0.2f, 0.5f]);

        prediction.PredictedRefusal.ShouldBeTrue();
        prediction.Confidence.ShouldBe(0.8f);
        prediction.TopCategory.ShouldBe("violent_crimes");
        prediction.Categories["privacy"].ShouldBe(0.2f);
    }

    [Fact]
    public void Comply_reports_one_minus_p_and_no_category()
    {
        var prediction = _factory.Create(0.3f, [0.1f, 0.1f, 0.1f]);

        prediction.PredictedRefusal.ShouldBeFalse();
        prediction.Confidence.ShouldBe(0.7f, 1e-6f);
        prediction.TopCategory.ShouldBe(PromptPredictionFactory.NoCategory);
        prediction.Categories.Count.ShouldBe(3);
    }

    [Fact]
    public void Non_finite_output_means_do_not_know()
    {
        var prediction = _factory.Create(float.NaN, [float.NaN, 0.1f, float.PositiveInfinity]);

        prediction.RefusalProbability.ShouldBe(0.5f);
        prediction.Confidence.ShouldBe(0.5f);
        prediction.Categories["hate"].ShouldBe(0f);
    }

    [Fact]
    public void Wrong_number_of_category_values_is_rejected() =>
        Should.Throw<ArgumentException>(() => _factory.Create(0.5f, [0.1f]));
}
