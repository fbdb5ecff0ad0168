using System.Globalization;
using RefusalGate.Gateway.Observation;
using StackExchange.Redis;

namespace RefusalGate.Gateway.OutcomeLog;

/// <summary>
/// The stream entry of one outcome: flat string fields, so any Redis client (or <c>XRANGE</c> by hand) can read it.
/// No credentials, and prompt text only when configured: only what calibration and debugging need.
/// </summary>
public static class OutcomeRecordFields
{
    public static NameValueEntry[] From(RequestOutcome outcome)
    {
        var fields = new List<NameValueEntry>(24)
        {
            new("ts", outcome.Timestamp.ToUnixTimeMilliseconds()),
            new("request_id", outcome.RequestId),
            new("upstream", outcome.Upstream),
            new("model", outcome.Model),
            new("endpoint", outcome.Endpoint),
            new("stream", outcome.Stream ? 1 : 0),
            new("decision", outcome.Decision),
            new("status", outcome.StatusCode),
            new("actual", outcome.Observed.ToWireName()),
            new("actual_refusal", outcome.Observed.IsRefusal() ? 1 : 0),
            new("completed", outcome.Completed ? 1 : 0),
            new("truncated", outcome.Truncated ? 1 : 0),
        };

        if (outcome.Prediction is { } prediction)
        {
            fields.Add(new("predicted_refusal", prediction.PredictedRefusal ? 1 : 0));
            fields.Add(new("refusal_probability", Number(prediction.RefusalProbability)));
            fields.Add(new("confidence", Number(prediction.Confidence)));
            fields.Add(new("category", prediction.TopCategory));
            fields.Add(new("categories", string.Join(',', prediction.Categories.Select(c => $"{c.Key}={Number(c.Value)}"))));
        }

        if (outcome.RawPrediction is { } raw)
        {
            fields.Add(new("raw_refusal_probability", Number(raw.RefusalProbability)));
            fields.Add(new("raw_predicted_refusal", raw.PredictedRefusal ? "1" : "0"));
            fields.Add(new("raw_category", raw.TopCategory));
        }

        Text(fields, "unread_content", outcome.UnreadContent);
        Text(fields, "prompt_hash", outcome.PromptHash);
        if (outcome.Prompt is { } prompt)
        {
            fields.Add(new("prompt", prompt.Text));
            fields.Add(new("prompt_truncated", prompt.Truncated ? 1 : 0));
            fields.Add(new("prompt_chars", prompt.OriginalLength));
        }

        Text(fields, "tenant", outcome.Tenant);
        Text(fields, "policy_category", outcome.PolicyCategory);
        Text(fields, "zone", outcome.Zone);
        Text(fields, "policy_action", outcome.PolicyAction);
        Text(fields, "shadow_of", outcome.ShadowOf);
        Text(fields, "fail_mode", outcome.FailMode);
        if (outcome.SelfPrediction is { } self)
        {
            fields.Add(new("self_prediction", self.WireName));
            fields.Add(new("self_shadow", outcome.SelfPredictionShadow ? 1 : 0));
            fields.Add(new("self_cached", self.FromCache ? 1 : 0));
            Optional(fields, "self_probability", self.RefusalProbability);
            Optional(fields, "self_ms", self.FromCache ? null : self.Duration.TotalMilliseconds);
        }

        Optional(fields, "fused_probability", outcome.FusedProbability);
        Optional(fields, "actual_probability", outcome.RefusalProbability);
        if (outcome.RefusalReason is { } reason)
        {
            fields.Add(new("actual_reason", reason));
        }

        Optional(fields, "gate_ms", outcome.GateDuration?.TotalMilliseconds);
        Optional(fields, "classifier_ms", outcome.ClassifierDuration?.TotalMilliseconds);
        Optional(fields, "upstream_ms", outcome.UpstreamDuration?.TotalMilliseconds);
        Optional(fields, "detector_ms", outcome.DetectorDuration?.TotalMilliseconds);
        Optional(fields, "prompt_tokens", outcome.PromptTokens);
        Optional(fields, "completion_tokens", outcome.CompletionTokens);
        return [.. fields];
    }

    private static void Text(List<NameValueEntry> fields, string name, string? value)
    {
        if (value is not null)
        {
            fields.Add(new(name, value));
        }
    }

    private static void Optional(List<NameValueEntry> fields, string name, double? value)
    {
        if (value is { } v)
        {
            fields.Add(new(name, Number(v)));
        }
    }

    private static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
