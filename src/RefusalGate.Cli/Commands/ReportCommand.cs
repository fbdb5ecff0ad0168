using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Calibration;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.OutcomeLog;
using Spectre.Console;
using StackExchange.Redis;

namespace RefusalGate.Cli.Commands;

/// <summary>
/// <c>refusalgate report</c>: the calibration table computed from the outcome records in Redis — per model and per
/// category: n, accuracy, d′, criterion, ECE, Brier, high-confidence accuracy and coverage.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var redis = new Option<string>("--redis") { Description = "Redis holding the outcome stream (HOST:PORT).", DefaultValueFactory = _ => "127.0.0.1:6379" };
        var stream = new Option<string>("--stream") { Description = "The outcome stream key.", DefaultValueFactory = _ => new OutcomeLogOptions().StreamKey };
        var since = new Option<string?>("--since") { Description = "Only records newer than this: 90s, 15m, 24h, 7d (default: all)." };
        var format = new Option<string>("--format") { Description = "table or json.", DefaultValueFactory = _ => "table" };
        var threshold = new Option<double>("--high-confidence") { Description = "Confidence threshold of the high-confidence subset.", DefaultValueFactory = _ => 0.9 };
        format.AcceptOnlyFromAmong("table", "json");
        since.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && ParseDuration(r.Tokens[0].Value) is null)
            {
                r.AddError("--since takes a duration such as 90s, 15m, 24h or 7d.");
            }
        });

        var command = new Command("report", "Calibration of the refusal predictions, from the outcome records in Redis.")
        {
            redis, stream, since, format, threshold,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var window = parse.GetValue(since) is { } text ? ParseDuration(text) : null;
            var aggregator = new CalibrationAggregator(Options.Create(new CalibrationOptions { HighConfidenceThreshold = parse.GetValue(threshold), MaxModels = 1000 }));
            var records = await ReadAsync(parse.GetValue(redis)!, parse.GetValue(stream)!, window, aggregator);
            var rows = aggregator.Snapshot()
                .OrderBy(r => SourceOrder(r.Source))
                .ThenBy(r => r.Model == CalibrationAggregator.All ? 0 : 1).ThenBy(r => r.Model, StringComparer.Ordinal)
                .ThenBy(r => r.Category == CalibrationAggregator.All ? 0 : 1).ThenBy(r => r.Category, StringComparer.Ordinal)
                .ToList();
            if (parse.GetValue(format) == "json")
            {
                await Console.Out.WriteLineAsync(Json(records, rows));
            }
            else
            {
                WriteTable(records, rows);
            }

            return RefusalGateCommandLine.ExitOk;
        });
        return command;
    }

    private static async Task<int> ReadAsync(string connection, string key, TimeSpan? window, CalibrationAggregator aggregator)
    {
        ConnectionMultiplexer redis;
        try
        {
            redis = await ConnectionMultiplexer.ConnectAsync(connection);
        }
        catch (RedisConnectionException ex)
        {
            throw new CommandLineUsageException($"cannot reach Redis at {connection}: {ex.Message}");
        }

        await using (redis)
        {
            var database = redis.GetDatabase();
            RedisValue start = window is { } w ? $"{DateTimeOffset.UtcNow.Subtract(w).ToUnixTimeMilliseconds()}-0" : "-";
            var records = 0;
            var firstPage = true;
            while (true)
            {
                var page = await database.StreamRangeAsync(key, start, "+", count: 1000);
                foreach (var entry in page)
                {
                    // Later pages start at the previous page's last entry (ranges are inclusive).
                    if (!firstPage && entry.Id == start)
                    {
                        continue;
                    }

                    records++;
                    Score(entry, aggregator);
                }

                if (page.Length < 1000)
                {
                    return records;
                }

                start = page[^1].Id;
                firstPage = false;
            }
        }
    }

    private static void Score(StreamEntry entry, CalibrationAggregator aggregator)
    {
        var fields = entry.Values.ToDictionary(v => v.Name.ToString(), v => v.Value.ToString(), StringComparer.Ordinal);
        if (!fields.TryGetValue("actual", out var actualName) || !ObservedKindNames.TryParseWireName(actualName, out var actual) || !actual.IsScorable()
            || !fields.TryGetValue("refusal_probability", out var probability)
            || !fields.TryGetValue("confidence", out var confidence))
        {
            return;
        }

        var model = fields.GetValueOrDefault("model", "unknown");
        var category = fields.GetValueOrDefault("category", "none");
        aggregator.Add(
            CalibrationAggregator.ClassifierSource,
            model,
            category,
            double.Parse(probability, CultureInfo.InvariantCulture),
            fields.GetValueOrDefault("predicted_refusal") == "1",
            double.Parse(confidence, CultureInfo.InvariantCulture),
            actual.IsRefusal());
        foreach (var (source, field) in new[] { (CalibrationAggregator.SelfSource, "self_probability"), (CalibrationAggregator.FusedSource, "fused_probability") })
        {
            if (fields.TryGetValue(field, out var value))
            {
                aggregator.AddProbability(source, model, category, double.Parse(value, CultureInfo.InvariantCulture), actual.IsRefusal());
            }
        }
    }

    private static int SourceOrder(string source) => source switch
    {
        CalibrationAggregator.ClassifierSource => 0,
        CalibrationAggregator.SelfSource => 1,
        _ => 2,
    };

    private static void WriteTable(int records, List<CalibrationRow> rows)
    {
        var table = new Table().Title($"Refusal prediction calibration ({records} records)");
        table.AddColumn("source").AddColumn("model").AddColumn("category");
        foreach (var column in new[] { "n", "accuracy", "d′", "c", "ECE", "Brier", "acc@hi-conf", "coverage" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var (source, model, category, f) in rows)
        {
            table.AddRow(source, model, category, f.Samples.ToString(CultureInfo.InvariantCulture), F(f.Accuracy), F(f.DPrime), F(f.Criterion),
                F(f.ExpectedCalibrationError), F(f.Brier), F(f.HighConfidenceAccuracy), F(f.HighConfidenceCoverage));
        }

        // Piped output gets no terminal width; a table wrapped at 80 columns is unreadable.
        var console = AnsiConsole.Create(new AnsiConsoleSettings());
        console.Profile.Width = Math.Max(console.Profile.Width, 160);
        console.Write(table);
    }

    private static string Json(int records, List<CalibrationRow> rows) =>
        JsonSerializer.Serialize(new
        {
            records,
            rows = rows.Select(r => new
            {
                source = r.Source,
                model = r.Model,
                category = r.Category,
                n = r.Figures.Samples,
                accuracy = Finite(r.Figures.Accuracy),
                d_prime = Finite(r.Figures.DPrime),
                criterion = Finite(r.Figures.Criterion),
                ece = Finite(r.Figures.ExpectedCalibrationError),
                brier = Finite(r.Figures.Brier),
                high_confidence_accuracy = Finite(r.Figures.HighConfidenceAccuracy),
                high_confidence_coverage = Finite(r.Figures.HighConfidenceCoverage),
            }),
        });

    private static double? Finite(double value) => double.IsFinite(value) ? Math.Round(value, 6) : null;

    private static string F(double value) => double.IsFinite(value) ? value.ToString("0.000", CultureInfo.InvariantCulture) : "–";

    internal static TimeSpan? ParseDuration(string text)
    {
        if (text.Length < 2 || !double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            return null;
        }

        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => null,
        };
    }
}
