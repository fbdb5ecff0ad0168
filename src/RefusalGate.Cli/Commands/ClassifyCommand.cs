using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using RefusalGate.Classification.Prediction;
using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Cli.Commands;

/// <summary><c>refusalgate classify</c>: the prompt refusal classifier over a JSONL file.</summary>
internal static class ClassifyCommand
{
    public static Command Create() => JsonLinesBatch.Command<IPromptClassifier>(
        "classify",
        "Predict, per prompt, whether a typical aligned model will refuse it (overall and per category).",
        "{\"id\": ..., \"prompt\": \"...\"}, {\"id\": ..., \"messages\": [...]} or {\"id\": ..., \"input\": ...} (Responses API)",
        "{\"id\", \"refusal_probability\", \"predicted_refusal\", \"category\", \"categories\"}",
        async (classifier, line, cancellationToken) =>
        {
            var prediction = await classifier.ClassifyAsync(PromptOf(line), cancellationToken);
            return writer => Write(writer, prediction);
        });

    /// <summary>
    /// The prompt of a line: "prompt", or the last user message of "messages" or of a Responses API "input" (a string or
    /// items), read as the gateway reads them.
    /// </summary>
    internal static string PromptOf(JsonElement line)
    {
        var body = JsonObject.Create(line)!;
        var endpoint = body.ContainsKey("messages") ? LlmEndpoint.ChatCompletions
            : body.ContainsKey("prompt") ? LlmEndpoint.Completions
            : body.ContainsKey("input") ? LlmEndpoint.Responses
            : throw new InputLineException("a line needs \"prompt\" (string), \"messages\" (array) or \"input\" (string or array)");

        if (!LlmRequestParser.TryReadConversation(body, endpoint, out var messages, out var error))
        {
            throw new InputLineException(error.Message);
        }

        return endpoint != LlmEndpoint.Completions && !messages.Any(m => m.Role == "user")
            ? throw new InputLineException($"\"{(endpoint == LlmEndpoint.ChatCompletions ? "messages" : "input")}\" has no user message")
            : ConversationMessage.LastUserText(messages);
    }

    /// <summary>The output fields of a prediction (also written by <c>evaluate classify</c>).</summary>
    internal static void Write(Utf8JsonWriter writer, PromptPrediction prediction)
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
