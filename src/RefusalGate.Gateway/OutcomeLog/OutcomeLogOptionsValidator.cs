using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.OutcomeLog;

/// <summary>Fails start-up with the setting named, instead of a writer that throws or silently keeps nothing.</summary>
internal sealed class OutcomeLogOptionsValidator : SettingsValidator<OutcomeLogOptions>
{
    protected override IEnumerable<string> Failures(OutcomeLogOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.StreamKey) || string.IsNullOrWhiteSpace(options.AggregateKeyPrefix))
        {
            yield return "OutcomeLog:StreamKey and AggregateKeyPrefix must not be empty.";
        }

        if (options.MaxStreamLength < 1 || options.BufferCapacity < 1 || options.BatchSize < 1)
        {
            yield return "OutcomeLog:MaxStreamLength, BufferCapacity and BatchSize must be >= 1.";
        }

        if (options.FlushInterval <= TimeSpan.Zero || options.MaxRetryDelay <= TimeSpan.Zero)
        {
            yield return "OutcomeLog:FlushInterval and MaxRetryDelay must be positive.";
        }

        if (options.MaxStoredPromptChars < 0)
        {
            yield return "OutcomeLog:MaxStoredPromptChars must be >= 0.";
        }
    }
}
