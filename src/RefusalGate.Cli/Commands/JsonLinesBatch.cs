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

    /// <summary>Returns the exit code: 1 only when there were lines and every one failed.</summary>
    public static async Task<int> RunAsync(
        FileInfo input,
        FileInfo output,
        string activity,
        Func<JsonElement, CancellationToken, Task<Action<Utf8JsonWriter>>> processLine,
        CancellationToken cancellationToken)
    {
        if (!input.Exists)
        {
            throw new CommandLineUsageException(Directory.Exists(input.FullName)
                ? $"input '{input.FullName}' is a directory, not a JSONL file."
                : $"input file '{input.FullName}' does not exist.");
        }

        var lines = (await File.ReadAllLinesAsync(input.FullName, cancellationToken))
            .Select((text, index) => (Text: text, Number: index + 1))
            .Where(l => !string.IsNullOrWhiteSpace(l.Text))
            .ToList();
        var failed = 0;
        await using var writer = OpenOutput(output);

        async Task ProcessAllAsync(Action<int> advance)
        {
            for (var start = 0; start < lines.Count; start += Window)
            {
                var window = lines.Skip(start).Take(Window).ToList();
                var results = await Task.WhenAll(window.Select(l => ProcessOneAsync(l.Text, l.Number, processLine, cancellationToken)));
                foreach (var (json, ok) in results)
                {
                    failed += ok ? 0 : 1;
                    await writer.WriteLineAsync(json);
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

        await Console.Error.WriteLineAsync($"{activity}: {lines.Count - failed} line(s) written, {failed} failed -> {output.FullName}");
        return lines.Count > 0 && failed == lines.Count ? RefusalGateCommandLine.ExitFailure : RefusalGateCommandLine.ExitOk;
    }

    /// <summary>Opened before any work, so a path that cannot be written is a usage error, not a crash after the run.</summary>
    private static StreamWriter OpenOutput(FileInfo output)
    {
        try
        {
            return new StreamWriter(output.FullName, append: false, new UTF8Encoding(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CommandLineUsageException($"cannot write output file '{output.FullName}': {ex.Message}");
        }
    }

    private static async Task<(string Json, bool Ok)> ProcessOneAsync(
        string line, int number, Func<JsonElement, CancellationToken, Task<Action<Utf8JsonWriter>>> processLine, CancellationToken cancellationToken)
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
            return await RunAsync(parse.GetValue(input)!, parse.GetValue(output)!, name, (line, ct) => processLine(model, line, ct), cancellationToken);
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

/// <summary>A bad input line: reported in the output as an error record with its line number.</summary>
internal sealed class InputLineException(string message) : Exception(message);
