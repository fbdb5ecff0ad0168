using Microsoft.Extensions.Options;

namespace RefusalGate.Gateway.Policies;

/// <summary>Fails start-up with the setting named, instead of a policy watcher that throws when it first waits.</summary>
internal sealed class PolicyOptionsValidator : IValidateOptions<PolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.ReloadDelay < TimeSpan.Zero)
        {
            failures.Add("Policies:ReloadDelay must be >= 0.");
        }

        if (options.PollInterval <= TimeSpan.Zero)
        {
            failures.Add("Policies:PollInterval must be positive (set Policies:Watch to false to stop reloading).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
