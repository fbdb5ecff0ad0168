using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.OutcomeLog;
using StackExchange.Redis;

namespace RefusalGate.Gateway.Recalibration;

/// <summary>A logged, scorable classifier prediction (its own, raw top category and probability): what calibrators are fitted on.</summary>
public readonly record struct LoggedPrediction(string Model, string Category, CalibrationSample Sample);

/// <summary>
/// The newest logged outcomes, oldest first: from the Redis stream when the outcome log is configured (so every
/// replica fits on the same shared record and arrives at the same calibrators), else from this process's in-memory
/// store. Always the classifier's own probability, never an already recalibrated one.
/// </summary>
internal sealed class RecalibrationSamples(
    IOptions<OutcomeLogOptions> log,
    IOptions<RecalibrationOptions> options,
    InMemoryOutcomeStore memory,
    RedisConnection redis)
{
    public async Task<IReadOnlyList<LoggedPrediction>> ReadAsync()
    {
        var max = options.Value.MaxSamples;
        if (!redis.IsConfigured)
        {
            return [.. memory.Outcomes.TakeLast(max).SelectMany(FromOutcome)];
        }

        var database = await redis.GetDatabaseAsync();
        var newestFirst = await database.StreamRangeAsync(log.Value.StreamKey, "-", "+", count: max, messageOrder: Order.Descending);
        return [.. newestFirst.Reverse().SelectMany(e => FromRecord(OutcomeRecordReader.Fields(e)))];
    }

    private static IEnumerable<LoggedPrediction> FromOutcome(RequestOutcome outcome)
    {
        if ((outcome.RawPrediction ?? outcome.Prediction) is { } raw && outcome.Observed.IsScorable())
        {
            yield return new(outcome.Model, raw.TopCategory, new(raw.RefusalProbability, outcome.Observed.IsRefusal()));
        }
    }

    private static IEnumerable<LoggedPrediction> FromRecord(Dictionary<string, string> fields)
    {
        if ((OutcomeRecordReader.Number(fields, "raw_refusal_probability") ?? OutcomeRecordReader.Number(fields, "refusal_probability")) is { } probability
            && OutcomeRecordReader.ScorableActual(fields) is { } actual)
        {
            yield return new(
                fields.GetValueOrDefault("model", "unknown"),
                fields.GetValueOrDefault("raw_category") ?? fields.GetValueOrDefault("category", "none"),
                new(probability, actual.IsRefusal()));
        }
    }
}
