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
        "{\"id\", \"refusal_probability\", \"predicted_refusal\", \"category\", \"categories\", \"unread_content\"?}",
        async (classifier, line, cancellationToken) =>
        {
            var prompt = PromptOf(line);
            var prediction = await classifier.ClassifyAsync(prompt.Text, cancellationToken);
            return writer => Write(writer, prediction, prompt.Unread);
        });

    /// <summary>
    /// The prompt of a line: "prompt", or the last user message of "messages" or of a Responses API "input" (a string or
    /// items), read as the gateway reads them, with the kinds of its parts the classifier cannot read.
    /// </summary>
    internal static (string Text, UnreadContent Unread) PromptOf(JsonElement line)
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

        var last = ConversationMessage.LastUser(messages);
        return endpoint != LlmEndpoint.Completions && last is null
            ? throw new InputLineException($"\"{(endpoint == LlmEndpoint.ChatCompletions ? "messages" : "input")}\" has no user message")
            : (last?.Text ?? "", last?.Unread ?? UnreadContent.None);
    }

    /// <summary>
    /// The output fields of a prediction (also written by <c>evaluate classify</c>); <c>unread_content</c> only when the
    /// message had parts the classifier cannot read, as the gateway's <c>x-refusalgate-unread-content</c> names them.
    /// </summary>
    internal static void Write(Utf8JsonWriter writer, PromptPrediction prediction, UnreadContent unread)
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
        if (unread != UnreadContent.None)
        {
            writer.WriteString("unread_content", unread.ToHeaderValue());
        }
    }
}
