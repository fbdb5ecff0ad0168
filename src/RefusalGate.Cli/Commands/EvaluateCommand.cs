using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RefusalGate.Classification.Prediction;
using RefusalGate.Cli.Evaluation;
using RefusalGate.Detection;
using Spectre.Console;

namespace RefusalGate.Cli.Commands;

/// <summary>
/// <c>refusalgate evaluate classify|detect</c>: runs the classifier or the detector over a labelled JSONL set and
/// prints the figures the product is judged by — accuracy, AUROC, recall on refusals, over-refusal, accuracy and
/// coverage at high confidence, ECE, Brier, d′ and c — for the whole set and per slice (<c>--by FIELD</c>). The
/// figures use the gateway's own definitions (<see cref="Gateway.Calibration.CalibrationFigures"/>), so a set
/// measured here and live traffic in <c>report</c> are comparable. Per-line predictions go to <c>--output</c>.
/// </summary>
internal static class EvaluateCommand
{
    private const string MissingSlice = "(missing)";

    /// <summary>A model's answer for one line: the figures' inputs, and its output fields for the per-line file.</summary>
    private readonly record struct ModelAnswer(double RefusalProbability, bool PredictedRefusal, double Confidence, Action<Utf8JsonWriter> WriteFields);

    public static Command Create() => new("evaluate", "Measure the classifier or the detector on a labelled JSONL set.")
    {
        Subcommand<IPromptClassifier>(
            "classify",
            "Measure the prompt classifier against labels saying whether the model refused each prompt.",
            "{\"id\", \"prompt\" or \"messages\", <label>}",
            async (classifier, line, cancellationToken) =>
            {
                var prompt = ClassifyCommand.PromptOf(line);
                var prediction = await classifier.ClassifyAsync(prompt.Text, cancellationToken);
                return new ModelAnswer(prediction.RefusalProbability, prediction.PredictedRefusal, prediction.Confidence, w => ClassifyCommand.Write(w, prediction, prompt.Unread));
            }),
        Subcommand<IResponseRefusalDetector>(
            "detect",
            "Measure the response refusal detector against labels saying whether each response was a refusal.",
            "{\"id\", \"response\", \"prompt\" (optional), <label>}",
            async (detector, line, cancellationToken) =>
            {
                var response = JsonLinesBatch.RequiredString(line, "response");
                var detection = await detector.DetectAsync(response, JsonLinesBatch.OptionalString(line, "prompt"), cancellationToken);
                var confidence = detection.IsRefusal ? detection.RefusalProbability : 1 - detection.RefusalProbability;
                return new ModelAnswer(detection.RefusalProbability, detection.IsRefusal, confidence, w => DetectCommand.Write(w, detection));
            }),
    };

    private static Command Subcommand<TModel>(
        string name, string description, string inputShape, Func<TModel, JsonElement, CancellationToken, Task<ModelAnswer>> answer)
        where TModel : notnull
    {
        var input = new Option<FileInfo>("--input") { Description = $"JSONL: {inputShape} per line.", Required = true };
        var output = new Option<FileInfo>("--output") { Description = "JSONL: the model's output fields plus \"actual_refusal\" per line, in input order.", Required = true };
        var models = new Option<DirectoryInfo?>("--models") { Description = "The onnx-models folder (default: found from the working directory, or REFUSALGATE_MODELS)." };
        var label = new Option<string>("--label") { Description = "The field with the reference answer: true/false, 1/0, or full_refusal|partial_refusal|compliance.", DefaultValueFactory = _ => "refused" };
        var by = new Option<string?>("--by") { Description = "Also report one row per value of this field (e.g. source or category)." };
        var format = new Option<string>("--format") { Description = "table or json.", DefaultValueFactory = _ => "table" };
        var threshold = FigureOutput.HighConfidenceOption("Confidence (probability of the predicted class) at or above which a prediction counts as high-confidence.");
        format.AcceptOnlyFromAmong("table", "json");

        var command = new Command(name, description) { input, output, models, label, by, format, threshold };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (labelField, sliceField) = (parse.GetValue(label)!, parse.GetValue(by));
            await using var services = ModelServices.Build(parse.GetValue(models));
            var model = services.GetRequiredService<TModel>();
            var predictions = new ConcurrentBag<LabelledPrediction>();
            var summary = await JsonLinesBatch.RunAsync(parse.GetValue(input)!, parse.GetValue(output)!, $"evaluate {name}", async (line, ct) =>
            {
                // The label is read first, so a line without one costs no inference.
                var actual = ActualRefusalLabel.Read(line, labelField);
                var slice = sliceField is null ? null : SliceOf(line, sliceField);
                var result = await answer(model, line, ct);
                predictions.Add(new LabelledPrediction(slice, result.RefusalProbability, result.PredictedRefusal, result.Confidence, actual));
                return writer =>
                {
                    result.WriteFields(writer);
                    writer.WriteBoolean("actual_refusal", actual);
                };
            }, cancellationToken);

            if (predictions.IsEmpty)
            {
                await Console.Error.WriteLineAsync(summary.Lines == 0
                    ? "refusalgate: the input has no lines."
                    : $"refusalgate: no line could be evaluated (each needs a valid \"{labelField}\" label); see the error records in the output.");
                return RefusalGateCommandLine.ExitFailure;
            }

            var rows = SliceFigures.Summarise(predictions.ToArray(), parse.GetValue(threshold));
            if (parse.GetValue(format) == "json")
            {
                Console.WriteLine(Json(name, parse.GetValue(threshold), rows));
            }
            else
            {
                WriteTable(name, rows);
            }

            return summary.ExitCode;
        });
        return command;
    }

    /// <summary>
    /// The slice of a line: the field's string, a boolean's JSON text, or a number in its shortest form, so that
    /// <c>3</c>, <c>"3"</c>, <c>3.0</c> and <c>3e0</c> are one slice. A value named like the whole-set row is renamed
    /// <c>FIELD:all</c>, as <c>report</c> does with a model named <c>all</c>.
    /// </summary>
    private static string SliceOf(JsonElement line, string field)
    {
        var slice = !line.TryGetProperty(field, out var value) ? MissingSlice : value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } text ? text : MissingSlice,
            // "G29" drops a decimal's trailing zeros; a number beyond decimal's range keeps its text.
            JsonValueKind.Number => value.TryGetDecimal(out var number) ? number.ToString("G29", CultureInfo.InvariantCulture) : value.GetRawText(),
            JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => MissingSlice,
        };
        return slice == SliceFigures.All ? $"{field}:{SliceFigures.All}" : slice;
    }

    private static void WriteTable(string name, IReadOnlyList<SliceFigures> rows)
    {
        var table = new Table().Title($"evaluate {name}");
        table.AddColumn("slice");
        foreach (var column in new[] { "n", "refusals", "accuracy", "AUROC", "recall", "over-refusal", "acc@hi-conf", "coverage", "ECE", "Brier", "d′", "c" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (var (slice, refusals, f, auroc) in rows)
        {
            FigureOutput.AddLiteralRow(
                table,
                slice, f.Samples.ToString(CultureInfo.InvariantCulture), refusals.ToString(CultureInfo.InvariantCulture), FigureOutput.Cell(f.Accuracy),
                FigureOutput.Cell(auroc), FigureOutput.Cell(f.HitRate), FigureOutput.Cell(f.FalseAlarmRate), FigureOutput.Cell(f.HighConfidenceAccuracy),
                FigureOutput.Cell(f.HighConfidenceCoverage), FigureOutput.Cell(f.ExpectedCalibrationError), FigureOutput.Cell(f.Brier),
                FigureOutput.Cell(f.DPrime), FigureOutput.Cell(f.Criterion));
        }

        FigureOutput.Write(table);
    }

    private static string Json(string name, double highConfidenceThreshold, IReadOnlyList<SliceFigures> rows) =>
        JsonSerializer.Serialize(new
        {
            model = name,
            high_confidence_threshold = highConfidenceThreshold,
            rows = rows.Select(r => new
            {
                slice = r.Slice,
                n = r.Figures.Samples,
                refusals = r.Refusals,
                accuracy = FigureOutput.Json(r.Figures.Accuracy),
                auroc = FigureOutput.Json(r.Auroc),
                recall = FigureOutput.Json(r.Figures.HitRate),
                over_refusal = FigureOutput.Json(r.Figures.FalseAlarmRate),
                high_confidence_accuracy = FigureOutput.Json(r.Figures.HighConfidenceAccuracy),
                high_confidence_coverage = FigureOutput.Json(r.Figures.HighConfidenceCoverage),
                ece = FigureOutput.Json(r.Figures.ExpectedCalibrationError),
                brier = FigureOutput.Json(r.Figures.Brier),
                d_prime = FigureOutput.Json(r.Figures.DPrime),
                criterion = FigureOutput.Json(r.Figures.Criterion),
            }),
        });
}
