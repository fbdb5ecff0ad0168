using RefusalGate.Classification.Prediction;
using RefusalGate.Gateway.Calibration;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.OutcomeLog;
using StackExchange.Redis;

namespace RefusalGate.Gateway.Tests.OutcomeLog;

/// <summary>The live gauges and <c>report</c>'s stream reading score the same outcome the same way.</summary>
public sealed class CalibrationSourcesTests
{
    [Fact]
    public void The_raw_classifier_is_scored_with_its_own_decision_and_category_live_and_from_the_stream()
    {
        // Recalibration lowered a 0.55 refusal (above a 0.5 threshold: predicted refused, "hate") to a 0.40 compliance.
        var outcome = new RequestOutcome
        {
            RequestId = "req_1",
            Timestamp = DateTimeOffset.UnixEpoch,
            Upstream = "main",
            Model = "m",
            Endpoint = "chat.completions",
            Stream = false,
            Decision = "allow",
            Prediction = new PromptPrediction(0.40f, false, 0.60f, "none", new Dictionary<string, float> { ["hate"] = 0.40f }),
            RawPrediction = new PromptPrediction(0.55f, true, 0.55f, "hate", new Dictionary<string, float> { ["hate"] = 0.55f }),
            StatusCode = 200,
            Observed = ObservedKind.FullRefusal,
            RefusalProbability = 0.9f,
            Completed = true,
            Truncated = false,
        };

        var live = CalibrationSources.Of(outcome).Single(s => s.Source == CalibrationSources.ClassifierRaw);
        var fields = OutcomeRecordFields.From(outcome).ToDictionary(f => f.Name.ToString(), f => f.Value.ToString());
        var fromStream = OutcomeRecordReader.Scores(fields).Single(s => s.Source == CalibrationSources.ClassifierRaw);

        live.Category.ShouldBe("hate");
        live.PredictedRefusal.ShouldBeTrue();
        fromStream.Category.ShouldBe(live.Category);
        fromStream.PredictedRefusal.ShouldBe(live.PredictedRefusal);
        fromStream.RefusalProbability.ShouldBe(live.RefusalProbability, 1e-6);
        fromStream.Confidence.ShouldBe(live.Confidence, 1e-6);
    }
}
