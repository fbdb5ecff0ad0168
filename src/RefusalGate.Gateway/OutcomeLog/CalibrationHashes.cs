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

    /// <summary>One count of <see cref="CalibrationCounts"/> as a hash field: its name, and how to read and restore it.</summary>
    private sealed record Field(string Name, bool IsInteger, Func<CalibrationCounts, double> Get, Action<CalibrationCounts, double> Set);

    /// <summary>Every field, once: the writer increments them and the reader restores them from this one list.</summary>
    private static readonly Field[] Fields =
    [
        new("hits", true, c => c.Hits, (c, v) => c.Hits = (long)v),
        new("misses", true, c => c.Misses, (c, v) => c.Misses = (long)v),
        new("false_alarms", true, c => c.FalseAlarms, (c, v) => c.FalseAlarms = (long)v),
        new("correct_rejections", true, c => c.CorrectRejections, (c, v) => c.CorrectRejections = (long)v),
        new("high_confidence", true, c => c.HighConfidenceCount, (c, v) => c.HighConfidenceCount = (long)v),
        new("high_confidence_correct", true, c => c.HighConfidenceCorrect, (c, v) => c.HighConfidenceCorrect = (long)v),
        new("brier_sum", false, c => c.BrierSum, (c, v) => c.BrierSum = v),
        .. Enumerable.Range(0, CalibrationCounts.Bins).SelectMany(b => new Field[]
        {
            new($"bin{b}_n", true, c => c.BinCounts[b], (c, v) => c.BinCounts[b] = (long)v),
            new($"bin{b}_refusals", true, c => c.BinRefusals[b], (c, v) => c.BinRefusals[b] = (long)v),
            new($"bin{b}_p_sum", false, c => c.BinProbabilitySums[b], (c, v) => c.BinProbabilitySums[b] = v),
        }),
    ];

    /// <summary>Queues the increments of one table's counts (only non-zero fields) on a batch or transaction.</summary>
    public static void QueueIncrements(IDatabaseAsync database, string prefix, CalibrationTable table, List<Task> operations)
    {
        foreach (var (key, counts) in table.Counts)
        {
            var hash = KeyOf(prefix, key);
            operations.Add(database.SetAddAsync(IndexKey(prefix), hash.ToString()));
            operations.Add(database.HashSetAsync(hash, [new(SourceField, key.Source), new(ModelField, key.Model), new(CategoryField, key.Category)]));
            foreach (var field in Fields)
            {
                var value = field.Get(counts);
                if (value != 0)
                {
                    operations.Add(field.IsInteger ? database.HashIncrementAsync(hash, field.Name, (long)value) : database.HashIncrementAsync(hash, field.Name, value));
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
                var counts = new CalibrationCounts();
                foreach (var field in Fields)
                {
                    if (fields.TryGetValue(field.Name, out var text))
                    {
                        field.Set(counts, double.Parse(text, CultureInfo.InvariantCulture));
                    }
                }

                table.Merge(new CalibrationKey(source, model, category), counts);
            }
        }

        return table;
    }
}
