using System.CommandLine;
using System.Text.Json;
using RefusalGate.Detection;

namespace RefusalGate.Cli.Commands;

/// <summary><c>refusalgate detect</c>: the response refusal detector over a JSONL file.</summary>
internal static class DetectCommand
{
    public static Command Create() => JsonLinesBatch.Command<IResponseRefusalDetector>(
        "detect",
        "Say, per model response, whether it refused (full_refusal, partial_refusal or compliance).",
        "{\"id\": ..., \"response\": \"...\", \"prompt\": \"...\"} (prompt optional)",
        "{\"id\", \"refusal_probability\", \"is_refusal\", \"kind\", \"reason\" (refusals only: safety, capability or opinion)}",
        async (detector, line, cancellationToken) =>
        {
            var response = JsonLinesBatch.RequiredString(line, "response");
            var detection = await detector.DetectAsync(response, JsonLinesBatch.OptionalString(line, "prompt"), cancellationToken);
            return writer => Write(writer, detection);
        });

    /// <summary>The output fields of a detection (also written by <c>evaluate detect</c>).</summary>
    internal static void Write(Utf8JsonWriter writer, RefusalDetection detection)
    {
        writer.WriteNumber("refusal_probability", Math.Round(detection.RefusalProbability, 6));
        writer.WriteBoolean("is_refusal", detection.IsRefusal);
        writer.WriteString("kind", detection.Kind.ToLabel());
        if (detection.Reason is { } reason)
        {
            writer.WriteString("reason", reason);
        }
    }
}
