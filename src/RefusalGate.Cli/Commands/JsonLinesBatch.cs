using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace RefusalGate.Cli.Commands;

/// <summary>
/// Shared machinery of the JSONL commands: read every line, process a window of lines concurrently (so the encoder
/// batches them), write one output line per input line in input order, turn a bad line into an error record instead
/// of a crash, and show progress on stderr when it is a terminal.
/// </summary>
internal static class JsonLinesBatch
{
    private const int Window = 256;

    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    /// <summary>
    /// Writes the output to a temporary file beside it and moves it into place only when every line is done, so an
    /// interrupted run (Ctrl-C) leaves the previous output as it was instead of a truncated one.
    /// </summary>
    public static async Task<JsonLinesSummary> RunAsync(FileInfo input, FileInfo output, string activity, LineProcessor processLine, CancellationToken cancellationToken)
    {
        if (!input.Exists)
        {
            throw new CommandLineUsageException(Directory.Exists(input.FullName)
                ? $"input '{input.FullName}' is a directory, not a JSONL file."
                : $"input file '{input.FullName}' does not exist.");
        }

        var temporary = $"{output.FullName}.{Path.GetRandomFileName()}.tmp";
        var writer = OpenOutput(output, temporary);
        try
        {
            JsonLinesSummary summary;
            await using (writer)
            {
                summary = await WriteAllAsync(input, writer, activity, processLine, cancellationToken);
            }

            File.Move(temporary, output.FullName, overwrite: true);
            await Console.Error.WriteLineAsync($"{activity}: {summary} -> {output.FullName}");
            return summary;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new CommandInterruptedException($"interrupted; '{output.FullName}' was left as it was.");
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static async Task<JsonLinesSummary> WriteAllAsync(FileInfo input, StreamWriter writer, string activity, LineProcessor processLine, CancellationToken cancellationToken)
    {
        var lines = (await File.ReadAllLinesAsync(input.FullName, cancellationToken))
            .Select((text, index) => (Text: text, Number: index + 1))
            .Where(l => !string.IsNullOrWhiteSpace(l.Text))
            .ToList();
        var failed = 0;

        async Task ProcessAllAsync(Action<int> advance)
        {
            for (var start = 0; start < lines.Count; start += Window)
            {
                var window = lines.Skip(start).Take(Window).ToList();
                var results = await Task.WhenAll(window.Select(l => ProcessOneAsync(l.Text, l.Number, processLine, cancellationToken)));
                foreach (var (json, ok) in results)
                {
                    failed += ok ? 0 : 1;
                    await writer.WriteLineAsync(json.AsMemory(), cancellationToken);
                }

                advance(window.Count);
            }
        }

        if (Console.IsErrorRedirected)
        {
            await ProcessAllAsync(_ => { });
        }
        else
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            await console.Progress().StartAsync(async context =>
            {
                var task = context.AddTask(activity, maxValue: Math.Max(lines.Count, 1));
                await ProcessAllAsync(n => task.Increment(n));
            });
        }

        return new JsonLinesSummary(lines.Count, failed);
    }

    /// <summary>Opened before any work, so a path that cannot be written is a usage error, not a crash after the run.</summary>
    private static StreamWriter OpenOutput(FileInfo output, string temporary)
    {
        try
        {
            return Directory.Exists(output.FullName)
                ? throw new IOException("it is a directory")
                : new StreamWriter(temporary, append: false, new UTF8Encoding(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandLineUsageException($"cannot write output file '{output.FullName}': {ex.Message}");
        }
    }

    private static async Task<(string Json, bool Ok)> ProcessOneAsync(
        string line, int number, LineProcessor processLine, CancellationToken cancellationToken)
    {
        JsonElement? id = null;
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InputLineException("each line must be a JSON object");
            }

            id = root.TryGetProperty("id", out var idElement) ? idElement.Clone() : null;
            if (HasDuplicateKey(line))
            {
                // The gateway answers such a body with 400 invalid_json; which value would count is anybody's guess.
                throw new InputLineException("a key appears twice");
            }

            var write = await processLine(root, cancellationToken);
            return (Render(id, write), true);
        }
        catch (Exception ex) when (ex is JsonException or InputLineException or InvalidOperationException)
        {
            var message = ex switch
            {
                JsonException => "not valid JSON",
                InvalidOperationException => "a string holds an unpaired UTF-16 surrogate escape (e.g. \\ud800)",
                _ => ex.Message,
            };
            return (Render(id, w =>
            {
                w.WriteString("error", message);
                w.WriteNumber("line", number);
            }), false);
        }
    }

    private static bool HasDuplicateKey(string line)
    {
        try
        {
            JsonDocument.Parse(line, StrictJson).Dispose();
            return false;
        }
        catch (JsonException)
        {
            // The line parsed without the duplicate check, so this is the only thing the strict parse rejects.
            return true;
        }
    }

    private static string Render(JsonElement? id, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("id");
            if (id is { } value)
            {
                value.WriteTo(writer);
            }
            else
            {
                writer.WriteNullValue();
            }

            write(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// A JSONL command: <c>--input</c>, <c>--output</c>, <c>--models</c>, and an action that loads the models, resolves
    /// <typeparamref name="TModel"/> and runs <paramref name="processLine"/> on every line.
    /// </summary>
    public static Command Command<TModel>(
        string name, string description, string inputShape, string outputShape,
        Func<TModel, JsonElement, CancellationToken, Task<Action<Utf8JsonWriter>>> processLine)
        where TModel : notnull
    {
        var input = new Option<FileInfo>("--input") { Description = $"JSONL: {inputShape} per line.", Required = true };
        var output = new Option<FileInfo>("--output") { Description = $"JSONL: {outputShape} per line, in input order.", Required = true };
        var models = new Option<DirectoryInfo?>("--models") { Description = "The onnx-models folder (default: found from the working directory, or REFUSALGATE_MODELS)." };
        var command = new Command(name, description) { input, output, models };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = ModelServices.Build(parse.GetValue(models));
            var model = services.GetRequiredService<TModel>();
            var summary = await RunAsync(parse.GetValue(input)!, parse.GetValue(output)!, name, (line, ct) => processLine(model, line, ct), cancellationToken);
            return summary.ExitCode;
        });
        return command;
    }

    /// <summary>Reads a required string field of an input line.</summary>
    public static string RequiredString(JsonElement line, string name) =>
        line.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InputLineException($"\"{name}\" must be a string");

    public static string? OptionalString(JsonElement line, string name) =>
        line.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>Runs the model on one input line and returns what to write for it (beside its <c>id</c>).</summary>
internal delegate Task<Action<Utf8JsonWriter>> LineProcessor(JsonElement line, CancellationToken cancellationToken);

/// <summary>What a JSONL run wrote: one line per non-blank input line, <paramref name="Failed"/> of them error records.</summary>
internal readonly record struct JsonLinesSummary(int Lines, int Failed)
{
    /// <summary>1 only when there were lines and every one failed.</summary>
    public int ExitCode => Lines > 0 && Failed == Lines ? RefusalGateCommandLine.ExitFailure : RefusalGateCommandLine.ExitOk;

    /// <summary>"14 lines written, 6 of them error records": the file holds every line, error records included.</summary>
    public override string ToString() =>
        $"{Lines} {(Lines == 1 ? "line" : "lines")} written" + Failed switch
        {
            0 => "",
            1 => ", 1 of them an error record",
            _ => $", {Failed} of them error records",
        };
}

/// <summary>A bad input line: reported in the output as an error record with its line number.</summary>
internal sealed class InputLineException(string message) : Exception(message);
