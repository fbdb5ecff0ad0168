using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using RefusalGate.Detection;

namespace RefusalGate.Cli.Commands;

/// <summary><c>refusalgate detect</c>: the response refusal detector over a JSONL file.</summary>
internal static class DetectCommand
{
    public static Command Create()
    {
        var (input, output, models) = JsonLinesBatch.Options(
            "{\"id\": ..., \"response\": \"...\", \"prompt\": \"...\"} (prompt optional)",
            "{\"id\", \"refusal_probability\", \"is_refusal\", \"kind\"}");
        var command = new Command("detect", "Say, per model response, whether it refused (full_refusal, partial_refusal or compliance).")
        {
            input, output, models,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var services = ModelServices.Build(parse.GetValue(models));
            var detector = services.GetRequiredService<IResponseRefusalDetector>();
            return await JsonLinesBatch.RunAsync(parse.GetValue(input)!, parse.GetValue(output)!, "detect", async (line, ct) =>
            {
                var response = JsonLinesBatch.RequiredString(line, "response");
                var detection = await detector.DetectAsync(response, JsonLinesBatch.OptionalString(line, "prompt"), ct);
                return writer =>
                {
                    writer.WriteNumber("refusal_probability", Math.Round(detection.RefusalProbability, 6));
                    writer.WriteBoolean("is_refusal", detection.IsRefusal);
                    writer.WriteString("kind", detection.Kind.ToLabel());
                    if (detection.Reason is { } reason)
                    {
                        writer.WriteString("reason", reason);
                    }
                };
            }, cancellationToken);
        });
        return command;
    }
}
