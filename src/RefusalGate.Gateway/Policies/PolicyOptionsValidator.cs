using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.Policies;

/// <summary>Fails start-up with the setting named, instead of a policy watcher that throws when it first waits.</summary>
internal sealed class PolicyOptionsValidator : SettingsValidator<PolicyOptions>
{
    protected override IEnumerable<string> Failures(PolicyOptions options)
    {
        if (options.ReloadDelay < TimeSpan.Zero)
        {
            yield return "Policies:ReloadDelay must be >= 0.";
        }

        if (options.PollInterval <= TimeSpan.Zero)
        {
            yield return "Policies:PollInterval must be positive (set Policies:Watch to false to stop reloading).";
        }
    }
}
