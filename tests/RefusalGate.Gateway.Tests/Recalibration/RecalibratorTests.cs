using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RefusalGate.Classification.Prediction;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.OutcomeLog;
using RefusalGate.Gateway.Recalibration;

namespace RefusalGate.Gateway.Tests.Recalibration;

public sealed class RecalibratorTests
{
    private static PromptPrediction Prediction(float p) =>
        new(p, p >= 0.48f, p >= 0.48f ? p : 1 - p, p >= 0.48f ? "hate" : "none", new Dictionary<string, float> { ["hate"] = p * 0.7f, ["violent_crimes"] = p * 0.2f });

    [Fact]
    public void Without_a_calibrator_the_prediction_is_left_alone()
    {
        var recalibrator = new Recalibrator();
        recalibrator.TryApply("m", Prediction(0.7f), out var same).ShouldBeFalse();
        same.RefusalProbability.ShouldBe(0.7f);
    }

    [Fact]
    public void A_calibrator_replaces_the_probability_and_the_decision_follows_it()
    {
        var recalibrator = new Recalibrator();
        recalibrator.Install(
            new Dictionary<string, ModelCalibrators> { ["m"] = new(new PlattCalibrator(1, 2), new Dictionary<string, ICalibrator>(), CalibrationSupport.None, MinSupport: 0) },
            []);

        // logit 0.3 ≈ −0.85, + 2 → σ(1.15) ≈ 0.76: now a predicted refusal, in the most likely category.
        recalibrator.TryApply("m", Prediction(0.3f), out var raised).ShouldBeTrue();
        raised.RefusalProbability.ShouldBe(0.7592f, 0.001f);
        raised.PredictedRefusal.ShouldBeTrue();
        raised.Confidence.ShouldBe(raised.RefusalProbability);
        raised.TopCategory.ShouldBe("hate");
        raised.Categories["hate"].ShouldBe(0.3f * 0.7f);

        recalibrator.TryApply("other", Prediction(0.3f), out _).ShouldBeFalse();
    }

    [Fact]
    public void A_category_with_its_own_calibrator_uses_it()
    {
        var calibrators = new ModelCalibrators(new PlattCalibrator(1, 0), new Dictionary<string, ICalibrator> { ["hate"] = new PlattCalibrator(1, -3) }, CalibrationSupport.None, MinSupport: 0);
        calibrators.For("hate", 0.9)!.Apply(0.9).ShouldBeLessThan(0.5);
        calibrators.For("violent_crimes", 0.9)!.Apply(0.9).ShouldBe(0.9, 1e-6);
    }

    [Fact]
    public void A_prediction_unlike_the_outcomes_the_fit_saw_keeps_the_classifier_probability_and_is_counted()
    {
        // 30 outcomes of hate prompts around 0.6, 5 around 0.9; none of self-harm prompts (say a policy answers them itself).
        var logged = Enumerable.Range(0, 30).Select(i => new LoggedPrediction("m", "hate", new(0.6 + (i * 0.001), i % 2 == 0)))
            .Concat(Enumerable.Range(0, 5).Select(i => new LoggedPrediction("m", "hate", new(0.9, true))));
        var calibrators = new ModelCalibrators(new PlattCalibrator(1, -2), new Dictionary<string, ICalibrator>(), CalibrationSupport.Of(logged), MinSupport: 20);
        calibrators.For("hate", 0.65).ShouldNotBeNull();
        calibrators.For("hate", 0.92).ShouldBeNull();
        calibrators.For("self_harm", 0.65).ShouldBeNull();

        var recalibrator = new Recalibrator();
        recalibrator.Install(new Dictionary<string, ModelCalibrators> { ["m"] = calibrators }, []);
        var selfHarm = new PromptPrediction(0.89f, true, 0.89f, "self_harm", new Dictionary<string, float> { ["self_harm"] = 0.8f });

        recalibrator.TryApply("m", selfHarm, out var served).ShouldBeFalse();
        served.ShouldBe(selfHarm);
        recalibrator.TryApply("m", Prediction(0.65f), out var moved).ShouldBeTrue();
        moved.RefusalProbability.ShouldBeLessThan(0.3f);
        recalibrator.OutsideSupport.ShouldBe([KeyValuePair.Create("m", 1L)]);
    }

    [Fact]
    public async Task The_service_applies_a_fit_only_where_it_lowered_held_out_ece()
    {
        var store = new InMemoryOutcomeStore();
        var samples = CalibratorFitterTests.OverConfident(3_000, seed: 5);
        for (var i = 0; i < samples.Count; i++)
        {
            await store.WriteAsync(Outcome(i, "overconfident", samples[i]), CancellationToken.None);
        }

        // Too few outcomes for a fit of its own.
        for (var i = 0; i < 100; i++)
        {
            await store.WriteAsync(Outcome(i, "rare", samples[i]), CancellationToken.None);
        }

        var options = Options.Create(new RecalibrationOptions { Enabled = true, MinSamples = 500, MinCategorySamples = 100_000 });
        var recalibrator = new Recalibrator();
        var service = new RecalibrationService(
            new RecalibrationSamples(Options.Create(new OutcomeLogOptions()), options, store, new RedisConnection(Options.Create(new OutcomeLogOptions()))),
            recalibrator,
            options,
            NullLogger<RecalibrationService>.Instance);

        var fits = await service.FitAsync();

        var fit = fits.ShouldHaveSingleItem();
        fit.Model.ShouldBe("overconfident");
        fit.Applied.ShouldBeTrue();
        fit.EceAfter.ShouldBeLessThan(fit.EceBefore / 2);
        fit.BrierAfter.ShouldBeLessThan(fit.BrierBefore);
        recalibrator.TryApply("overconfident", Prediction(0.95f), out var softened).ShouldBeTrue();
        softened.RefusalProbability.ShouldBeLessThan(0.9f);
        recalibrator.TryApply("rare", Prediction(0.95f), out _).ShouldBeFalse();

        // The logged traffic has no outcome in this category (its prompts never reached the model): served raw.
        var unseen = new PromptPrediction(0.95f, true, 0.95f, "self_harm", new Dictionary<string, float> { ["self_harm"] = 0.9f });
        recalibrator.TryApply("overconfident", unseen, out var raw).ShouldBeFalse();
        raw.RefusalProbability.ShouldBe(0.95f);
    }

    private static RequestOutcome Outcome(int i, string model, CalibrationSample sample) => new()
    {
        RequestId = $"req_{model}_{i}",
        Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(i),
        Upstream = "main",
        Model = model,
        Endpoint = "chat.completions",
        Stream = false,
        Decision = "allow",
        Prediction = Prediction((float)sample.Probability),
        StatusCode = 200,
        Observed = sample.Refused ? ObservedKind.FullRefusal : ObservedKind.Compliance,
        Completed = true,
        Truncated = false,
    };
}
