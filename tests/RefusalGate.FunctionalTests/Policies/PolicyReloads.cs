using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests.Policies;

/// <summary>What the reload tests read from a running gateway, and their bounded wait.</summary>
internal static class PolicyReloads
{
    public const string LastReloadFailed = "refusalgate_policy_last_reload_failed";
    public const string Failures = "refusalgate_policy_reloads_total{result=\"failure\"}";

    /// <summary>The value of one sample line of the Prometheus text, or null when there is none.</summary>
    public static string? Sample(string metrics, string series) =>
        metrics.Split('\n').FirstOrDefault(line => line.StartsWith(series + " ", StringComparison.Ordinal))?[(series.Length + 1)..].Trim();

    public static async Task<string> MetricsAsync(TestGateway gateway) => await gateway.Http.GetStringAsync("metrics");

    public static async Task<string?> SampleAsync(TestGateway gateway, string series) => Sample(await MetricsAsync(gateway), series);

    /// <summary>A bound so a broken watcher fails the test instead of hanging it; not a latency assertion.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The policy change was not picked up.");
    }
}
