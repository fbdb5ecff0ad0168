using Microsoft.Extensions.Options;

namespace RefusalGate.Gateway.Configuration;

/// <summary>
/// The shared part of a section's start-up check (with ValidateOnStart): every failure is collected, so one failed
/// start names every bad setting, and each section only says what is wrong with it.
/// </summary>
internal abstract class SettingsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>One message per bad setting, naming it as configured (<c>Section:Key</c>).</summary>
    protected abstract IEnumerable<string> Failures(TOptions options);
}
