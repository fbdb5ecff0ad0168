using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using RefusalGate.Gateway.Calibration;
using RefusalGate.Gateway.OutcomeLog;
using Spectre.Console;
using StackExchange.Redis;

namespace RefusalGate.Cli.Commands;

/// <summary>
/// <c>refusalgate report</c>: the calibration table from the outcome log in Redis — per source, model and category:
/// n, accuracy, d′, criterion, ECE, Brier, high-confidence accuracy and coverage. By default from the counts all
/// replicas share; with <c>--since</c> (or <c>--from stream</c>) recomputed from the stream's records.
/// </summary>
internal static class ReportCommand
{
    private const string FromAggregates = "aggregates";
    private const string FromStream = "stream";

    public static Command Create()
    {
        var redis = new Option<string>("--redis") { Description = "Redis holding the outcome log (HOST:PORT).", DefaultValueFactory = _ => "127.0.0.1:6379" };
        var stream = new Option<string>("--stream") { Description = "The outcome stream key.", DefaultValueFactory = _ => new OutcomeLogOptions().StreamKey };
        var prefix = new Option<string>("--aggregates") { Description = "Key prefix of the shared calibration hashes.", DefaultValueFactory = _ => new OutcomeLogOptions().AggregateKeyPrefix };
        var from = new Option<string?>("--from") { Description = "aggregates (the counts all replicas share, since the log began) or stream (recomputed from the records; the default with --since)." };
        var since = new Option<string?>("--since") { Description = "Only records newer than this: 90s, 15m, 24h, 7d (reads the stream)." };
        var format = new Option<string>("--format") { Description = "table or json.", DefaultValueFactory = _ => "table" };
        var threshold = FigureOutput.HighConfidenceOption("Confidence threshold of the high-confidence subset (with --since or --from stream; the aggregates use the gateway's).");
        format.AcceptOnlyFromAmong("table", "json");
        from.AcceptOnlyFromAmong(FromAggregates, FromStream);
        since.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && ParseDuration(r.Tokens[0].Value) is null)
            {
                r.AddError("--since takes a duration such as 90s, 15m, 24h or 7d.");
            }
        });

        var command = new Command("report", "Calibration of the refusal predictions, from the outcome log in Redis.")
        {
            redis, stream, prefix, from, since, format, threshold,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(from) == FromAggregates && r.GetValue(since) is not null)
            {
                r.AddError("--since reads the stream; it cannot be combined with --from aggregates.");
            }

            // The shared counts were taken at the gateway's threshold (Calibration:HighConfidenceThreshold): printing
            // them under another one asked for would mislead, so the threshold needs the records.
            if (r.GetResult(threshold) is { Implicit: false } && r.GetValue(from) != FromStream && r.GetValue(since) is null)
            {
                r.AddError("--high-confidence recomputes the figures from the records: add --since or --from stream (the shared aggregates use the gateway's Calibration:HighConfidenceThreshold).");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var window = parse.GetValue(since) is { } text ? ParseDuration(text) : null;
            var useStream = parse.GetValue(from) == FromStream || window is not null;
            // The Redis client takes no cancellation token; Ctrl-C stops the waiting (exit 130) and the process ends.
            await using var connection = await ConnectAsync(parse.GetValue(redis)!).WaitAsync(cancellationToken);
            var database = connection.GetDatabase();
            (int? Records, CalibrationTable Table) read;
            try
            {
                read = useStream
                    ? await ReadStreamAsync(database, parse.GetValue(stream)!, window, parse.GetValue(threshold)).WaitAsync(cancellationToken)
                    : (null, await CalibrationHashes.ReadAsync(database, parse.GetValue(prefix)!, parse.GetValue(threshold)).WaitAsync(cancellationToken));
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException or FormatException)
            {
                // A key of another type (WRONGTYPE), a hash field that is not a count, a stalled server.
                throw new IOException($"could not read the outcome log: {ex.Message}", ex);
            }

            var (records, table) = read;
            var rows = table.Rows();
            var origin = useStream ? FromStream : FromAggregates;
            if (parse.GetValue(format) == "json")
            {
                await Console.Out.WriteLineAsync(Json(origin, records, rows));
            }
            else
            {
                WriteTable(useStream ? $"{records} records" : "shared aggregates", rows);
            }

            return RefusalGateCommandLine.ExitOk;
        });
        return command;
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(string connection)
    {
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(connection);
        }
        catch (ArgumentException ex)
        {
            throw new CommandLineUsageException($"--redis '{RedisAddressText.Redacted(connection)}' is not a Redis address (HOST:PORT): {ex.Message}");
        }
        catch (RedisConnectionException ex)
        {
            // An I/O failure, not a usage error; the client's own advice (abortConnect=false) does not apply here.
            throw new IOException($"cannot reach Redis at {RedisAddressText.Redacted(connection)} ({ex.FailureType}): is it running, and is the address right?", ex);
        }
    }

    private static async Task<(int? Records, CalibrationTable Table)> ReadStreamAsync(IDatabase database, string key, TimeSpan? window, double threshold)
    {
        var table = new CalibrationTable(threshold);
        // A window reaching before 1970 means everything: stream ids start there.
        var since = window is { } w && w < DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch ? DateTimeOffset.UtcNow.Subtract(w) : (DateTimeOffset?)null;
        RedisValue start = since is { } t ? $"{t.ToUnixTimeMilliseconds()}-0" : "-";
        var records = 0;
        await foreach (var entry in OutcomeRecordReader.ReadAsync(database, key, start))
        {
            // The window is about when requests were made (ts), not when their records reached Redis: records buffered
            // through an outage arrive late. A record's id is never older than its ts, so reading from the window's
            // start and skipping the older ts misses nothing.
            var fields = OutcomeRecordReader.Fields(entry);
            if (since is { } from && OutcomeRecordReader.Number(fields, "ts") is { } ts && ts < from.ToUnixTimeMilliseconds())
            {
                continue;
            }

            records++;
            foreach (var score in OutcomeRecordReader.Scores(fields))
            {
                table.Add(score);
            }
        }

        return (records, table);
    }

    private static void WriteTable(string origin, IReadOnlyList<CalibrationRow> rows)
    {
        var table = new Table().Title($"Refusal prediction calibration ({origin})");
        table.AddColumn("source").AddColumn("model").AddColumn("category");
        foreach (var column in new[] { "n", "accuracy", "d′", "c", "ECE", "Brier", "acc@hi-conf", "coverage" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var (source, model, category, f) in rows)
        {
            FigureOutput.AddLiteralRow(table, source, model, category, f.Samples.ToString(CultureInfo.InvariantCulture), FigureOutput.Cell(f.Accuracy), FigureOutput.Cell(f.DPrime), FigureOutput.Cell(f.Criterion),
                FigureOutput.Cell(f.ExpectedCalibrationError), FigureOutput.Cell(f.Brier), FigureOutput.Cell(f.HighConfidenceAccuracy), FigureOutput.Cell(f.HighConfidenceCoverage));
        }

        FigureOutput.Write(table);
    }

    private static string Json(string origin, int? records, IReadOnlyList<CalibrationRow> rows) =>
        JsonSerializer.Serialize(new
        {
            from = origin,
            records,
            rows = rows.Select(r => new
            {
                source = r.Source,
                model = r.Model,
                category = r.Category,
                n = r.Figures.Samples,
                accuracy = FigureOutput.Json(r.Figures.Accuracy),
                d_prime = FigureOutput.Json(r.Figures.DPrime),
                criterion = FigureOutput.Json(r.Figures.Criterion),
                ece = FigureOutput.Json(r.Figures.ExpectedCalibrationError),
                brier = FigureOutput.Json(r.Figures.Brier),
                high_confidence_accuracy = FigureOutput.Json(r.Figures.HighConfidenceAccuracy),
                high_confidence_coverage = FigureOutput.Json(r.Figures.HighConfidenceCoverage),
            }),
        });

    internal static TimeSpan? ParseDuration(string text)
    {
        if (text.Length < 2 || !double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount)
            || !double.IsFinite(amount) || amount <= 0)
        {
            return null;
        }

        var seconds = text[^1] switch
        {
            's' => amount,
            'm' => amount * 60,
            'h' => amount * 3600,
            'd' => amount * 86400,
            _ => double.NaN,
        };

        // Longer than TimeSpan holds is as good as "everything" (the stream starts in 1970 at the earliest).
        return double.IsNaN(seconds) ? null : seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
    }
}
