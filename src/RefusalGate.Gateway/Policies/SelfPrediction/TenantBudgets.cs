namespace RefusalGate.Gateway.Policies.SelfPrediction;

/// <summary>
/// Per-tenant caps on self-prediction calls per minute (fixed one-minute windows), so one tenant's uncertain traffic
/// cannot run up another's cost. Keys are bounded tenant labels.
/// </summary>
public sealed class TenantBudgets(TimeProvider time)
{
    private readonly Dictionary<string, (long Window, int Used)> _used = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Takes one call from the tenant's budget; false when this minute's <paramref name="perMinute"/> calls are spent (0 = unlimited).</summary>
    public bool TryTake(string tenant, int perMinute)
    {
        if (perMinute <= 0)
        {
            return true;
        }

        var window = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        lock (_lock)
        {
            var (current, used) = _used.GetValueOrDefault(tenant);
            if (current != window)
            {
                used = 0;
            }

            if (used >= perMinute)
            {
                return false;
            }

            _used[tenant] = (window, used + 1);
            return true;
        }
    }
}
