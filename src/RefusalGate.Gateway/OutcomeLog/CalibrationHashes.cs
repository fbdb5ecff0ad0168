using System.Globalization;
using RefusalGate.Gateway.Calibration;
using StackExchange.Redis;

namespace RefusalGate.Gateway.OutcomeLog;

/// <summary>
/// The calibration counts every replica shares, as Redis hashes: one per (source, model, category) under
/// <c>{prefix}:{source}:{model}:{category}</c>, listed in the set <c>{prefix}:index</c>. Replicas add their batch's counts
/// with HINCRBY / HINCRBYFLOAT, so the hashes hold the sums over all replicas; <c>report</c> reads them back.
/// </summary>
public static class CalibrationHashes
{
    private const string SourceField = "source";
    private const string ModelField = "model";
    private const string CategoryField = "category";

    public static RedisKey IndexKey(string prefix) => $"{prefix}:index";

    public static RedisKey KeyOf(string prefix, CalibrationKey key) => $"{prefix}:{key.Source}:{key.Model}:{key.Category}";

    /// <summary>Queues the increments of one table's counts (only non-zero fields) on a batch or transaction.</summary>
    public static void QueueIncrements(IDatabaseAsync database, string prefix, CalibrationTable table, List<Task> operations)
    {
        foreach (var (key, counts) in table.Counts)
        {
            var hash = KeyOf(prefix, key);
            operations.Add(database.SetAddAsync(IndexKey(prefix), hash.ToString()));
            operations.Add(database.HashSetAsync(hash, [new(SourceField, key.Source), new(ModelField, key.Model), new(CategoryField, key.Category)]));
            foreach (var (field, value) in IntegerFields(counts))
            {
                if (value != 0)
                {
                    operations.Add(database.HashIncrementAsync(hash, field, value));
                }
            }

            foreach (var (field, value) in FloatFields(counts))
            {
                if (value != 0)
                {
                    operations.Add(database.HashIncrementAsync(hash, field, value));
                }
            }
        }
    }

    /// <summary>Reads every shared hash back into one table (the high-confidence counts use the writers' threshold).</summary>
    public static async Task<CalibrationTable> ReadAsync(IDatabase database, string prefix, double highConfidenceThreshold)
    {
        var table = new CalibrationTable(highConfidenceThreshold);
        foreach (var member in await database.SetMembersAsync(IndexKey(prefix)))
        {
            var fields = (await database.HashGetAllAsync(member.ToString())).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString(), StringComparer.Ordinal);
            if (fields.TryGetValue(SourceField, out var source) && fields.TryGetValue(ModelField, out var model) && fields.TryGetValue(CategoryField, out var category))
            {
                table.Merge(new CalibrationKey(source, model, category), Parse(fields));
            }
        }

        return table;
    }

    private static CalibrationCounts Parse(Dictionary<string, string> fields)
    {
        long Long(string name) => fields.TryGetValue(name, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : 0;
        double Double(string name) => fields.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : 0;

        var counts = new CalibrationCounts
        {
            Hits = Long("hits"),
            Misses = Long("misses"),
            FalseAlarms = Long("false_alarms"),
            CorrectRejections = Long("correct_rejections"),
            BrierSum = Double("brier_sum"),
            HighConfidenceCount = Long("high_confidence"),
            HighConfidenceCorrect = Long("high_confidence_correct"),
        };
        for (var b = 0; b < CalibrationCounts.Bins; b++)
        {
            counts.BinCounts[b] = Long($"bin{b}_n");
            counts.BinRefusals[b] = Long($"bin{b}_refusals");
            counts.BinProbabilitySums[b] = Double($"bin{b}_p_sum");
        }

        return counts;
    }

    private static IEnumerable<(string Field, long Value)> IntegerFields(CalibrationCounts counts)
    {
        yield return ("hits", counts.Hits);
        yield return ("misses", counts.Misses);
        yield return ("false_alarms", counts.FalseAlarms);
        yield return ("correct_rejections", counts.CorrectRejections);
        yield return ("high_confidence", counts.HighConfidenceCount);
        yield return ("high_confidence_correct", counts.HighConfidenceCorrect);
        for (var b = 0; b < CalibrationCounts.Bins; b++)
        {
            yield return ($"bin{b}_n", counts.BinCounts[b]);
            yield return ($"bin{b}_refusals", counts.BinRefusals[b]);
        }
    }

    private static IEnumerable<(string Field, double Value)> FloatFields(CalibrationCounts counts)
    {
        yield return ("brier_sum", counts.BrierSum);
        for (var b = 0; b < CalibrationCounts.Bins; b++)
        {
            yield return ($"bin{b}_p_sum", counts.BinProbabilitySums[b]);
        }
    }
}
