using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RefusalGate.Classification.Prediction;

namespace RefusalGate.Cli.Commands;

/// <summary><c>refusalgate classify</c>: the prompt refusal classifier over a JSONL file.</summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var (input, output, models) = JsonLinesBatch.Options(
            "{\"id\": ..., \"prompt\": \"...\"} or {\"id\": ..., \"messages\": [...]}",
            "{\"id\", \"refusal_probability\", \"predicted_refusal\", \"category\", \"categories\"}");
        var command = new Command("classify", "Predict, per prompt, whether a typical aligned model will refuse it (overall and per category).")
        {
            input, output, models,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = ModelServices.Build(parse.GetValue(models));
            var classifier = services.GetRequiredService<IPromptClassifier>();
            return await JsonLinesBatch.RunAsync(parse.GetValue(input)!, parse.GetValue(output)!, "classify", async (line, ct) =>
            {
                var prediction = await classifier.ClassifyAsync(PromptOf(line), ct);
                return writer => Write(writer, prediction);
            }, cancellationToken);
        });
        return command;
    }

    /// <summary>The prompt of a line: "prompt", or the last user message of "messages".</summary>
    internal static string PromptOf(JsonElement line)
    {
        if (line.TryGetProperty("prompt", out _))
        {
            return JsonLinesBatch.RequiredString(line, "prompt");
        }

        if (!line.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            throw new InputLineException("a line needs \"prompt\" (string) or \"messages\" (array)");
        }

        string? last = null;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind == JsonValueKind.Object
                && message.TryGetProperty("role", out var role) && role.ValueEquals("user"u8)
                && message.TryGetProperty("content", out var content))
            {
                last = content.ValueKind == JsonValueKind.String
                    ? content.GetString()
                    : content.ValueKind == JsonValueKind.Array
                        ? string.Join('\n', content.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String).Select(p => p.GetProperty("text").GetString()))
                        : null;
            }
        }

        return last ?? throw new InputLineException("\"messages\" has no user message with text content");
    }

    private static void Write(Utf8JsonWriter writer, PromptPrediction prediction)
    {
        writer.WriteNumber("refusal_probability", Math.Round(prediction.RefusalProbability, 6));
        writer.WriteBoolean("predicted_refusal", prediction.PredictedRefusal);
        writer.WriteString("category", prediction.TopCategory);
        writer.WriteStartObject("categories");
        foreach (var (name, probability) in prediction.Categories)
        {
            writer.WriteNumber(name, Math.Round(probability, 6));
        }

        writer.WriteEndObject();
    }
}
