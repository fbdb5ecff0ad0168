using System.Globalization;
using RefusalGate.Gateway.Calibration;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.Telemetry;
using StackExchange.Redis;

namespace RefusalGate.Gateway.OutcomeLog;

/// <summary>Reads outcome records back from the stream: the scores they carry, by the same rules as the live gauges.</summary>
public static class OutcomeRecordReader
{
    public static Dictionary<string, string> Fields(StreamEntry entry) =>
        entry.Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString(), StringComparer.Ordinal);

    /// <summary>The scores of one record (see <see cref="CalibrationSources.Of"/>): none without a prediction or a judgeable outcome.</summary>
    public static IEnumerable<CalibrationScore> Scores(IReadOnlyDictionary<string, string> fields)
    {
        if (ScorableActual(fields) is not { } actual
            || Number(fields, "refusal_probability") is not { } probability
            || Number(fields, "confidence") is not { } confidence)
        {
            yield break;
        }

        var refused = actual.IsRefusal();
        var model = ModelLabels.Escape(fields.GetValueOrDefault("model", "unknown"));
        var category = fields.GetValueOrDefault("category", "none");
        yield return new(CalibrationSources.Classifier, model, category, probability, fields.GetValueOrDefault("predicted_refusal") == "1", confidence, refused);
        if (Number(fields, "raw_refusal_probability") is { } raw && fields.TryGetValue("raw_predicted_refusal", out var rawPredicted))
        {
            var predicted = rawPredicted == "1";
            yield return new(CalibrationSources.ClassifierRaw, model, fields.GetValueOrDefault("raw_category", category), raw, predicted, predicted ? raw : 1 - raw, refused);
        }
        else if (Number(fields, "raw_refusal_probability") is { } rawOnly)
        {
            // Records written before raw_predicted_refusal existed: scored at 1/2, under the served category.
            yield return CalibrationScore.FromProbability(CalibrationSources.ClassifierRaw, model, category, rawOnly, refused);
        }

        foreach (var (source, field) in new[]
        {
            (CalibrationSources.Self, "self_probability"),
            (CalibrationSources.Fused, "fused_probability"),
        })
        {
            if (Number(fields, field) is { } value)
            {
                yield return CalibrationScore.FromProbability(source, model, category, value, refused);
            }
        }
    }

    /// <summary>Every record from <paramref name="start"/> (a stream id, or <c>-</c>) to the end, read in pages.</summary>
    public static async IAsyncEnumerable<StreamEntry> ReadAsync(IDatabase database, RedisKey key, RedisValue start, int pageSize = 1000)
    {
        var firstPage = true;
        while (true)
        {
            var page = await database.StreamRangeAsync(key, start, "+", count: pageSize);
            foreach (var entry in page)
            {
                // Later pages start at the previous page's last entry (ranges are inclusive).
                if (firstPage || entry.Id != start)
                {
                    yield return entry;
                }
            }

            if (page.Length < pageSize)
            {
                yield break;
            }

            start = page[^1].Id;
            firstPage = false;
        }
    }

    /// <summary>What the model did, when the record's outcome can score a prediction; null otherwise.</summary>
    public static ObservedKind? ScorableActual(IReadOnlyDictionary<string, string> fields) =>
        fields.TryGetValue("actual", out var name) && ObservedKindNames.TryParseWireName(name, out var actual) && actual.IsScorable() ? actual : null;

    public static double? Number(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
