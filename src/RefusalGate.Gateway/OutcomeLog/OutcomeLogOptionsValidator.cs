using Microsoft.Extensions.Options;

namespace RefusalGate.Gateway.OutcomeLog;

/// <summary>Fails start-up with the setting named, instead of a writer that throws or silently keeps nothing.</summary>
internal sealed class OutcomeLogOptionsValidator : IValidateOptions<OutcomeLogOptions>
{
    public ValidateOptionsResult Validate(string? name, OutcomeLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.StreamKey) || string.IsNullOrWhiteSpace(options.AggregateKeyPrefix))
        {
            failures.Add("OutcomeLog:StreamKey and AggregateKeyPrefix must not be empty.");
        }

        if (options.MaxStreamLength < 1 || options.BufferCapacity < 1 || options.BatchSize < 1)
        {
            failures.Add("OutcomeLog:MaxStreamLength, BufferCapacity and BatchSize must be >= 1.");
        }

        if (options.FlushInterval <= TimeSpan.Zero || options.MaxRetryDelay <= TimeSpan.Zero)
        {
            failures.Add("OutcomeLog:FlushInterval and MaxRetryDelay must be positive.");
        }

        if (options.MaxStoredPromptChars < 0)
        {
            failures.Add("OutcomeLog:MaxStoredPromptChars must be >= 0.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
