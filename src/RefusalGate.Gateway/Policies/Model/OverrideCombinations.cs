using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Policies.Tenancy;

namespace RefusalGate.Gateway.Policies.Model;

/// <summary>Overrides that all match one request and no other override of those considered (bit i = override i), and such a request.</summary>
internal sealed record OverrideCombination(ulong Mask, string Example);

/// <summary>
/// Every set of overrides that can apply to one request together, as <see cref="PolicySet.Resolve"/> would find them.
/// A request is a tenant, an upstream and a model, and an override matches on each independently, so the sets are the
/// products of what each part can be: a tenant an override names (if requests can carry it) or none of them; an
/// upstream an override names or another one; a model from <see cref="ModelGlobSets"/>. How upstreams are chosen for
/// models is the gateway's configuration, not the policy's, so every upstream is combined with every model.
/// </summary>
internal static class OverrideCombinations
{
    /// <summary>Far more model-name cases than real policies produce (40 prefix globs need a few hundred).</summary>
    public const int MaxModelStates = 20_000;

    /// <summary>
    /// The distinct combinations of the overrides <paramref name="considered"/> selects (the others are left out of every
    /// mask); null when the model patterns combine in too many ways to enumerate.
    /// </summary>
    public static IReadOnlyList<OverrideCombination>? Reachable(
        IReadOnlyList<PolicyOverride> overrides, Func<PolicyOverride, bool> considered, TenantResolver tenants, IReadOnlyCollection<string>? upstreams)
    {
        var indexes = Enumerable.Range(0, overrides.Count).Where(i => considered(overrides[i])).ToList();
        if (Models(overrides, indexes) is not { } models)
        {
            return null;
        }

        var found = new Dictionary<ulong, string>();
        foreach (var tenant in Tenants(overrides, indexes, tenants))
        {
            foreach (var upstream in Upstreams(overrides, indexes, upstreams))
            {
                foreach (var model in models)
                {
                    found.TryAdd(tenant.Mask & upstream.Mask & model.Mask, $"{tenant.Example}, {upstream.Example}, {model.Example}");
                }
            }
        }

        return [.. found.Select(f => new OverrideCombination(f.Key, f.Value))];
    }

    private static List<(ulong Mask, string Example)> Tenants(IReadOnlyList<PolicyOverride> overrides, List<int> indexes, TenantResolver tenants)
    {
        var anyTenant = MaskOf(indexes.Where(i => overrides[i].Tenant is null));
        var named = indexes.Select(i => overrides[i].Tenant).OfType<string>().Where(tenants.CanRecognise).Distinct(StringComparer.Ordinal).ToList();
        return
        [
            (anyTenant, named.Count == 0 ? "any tenant" : "no tenant"),
            .. named.Select(t => (anyTenant | MaskOf(indexes.Where(i => overrides[i].Tenant == t)), $"tenant '{t}'")),
        ];
    }

    private static List<(ulong Mask, string Example)> Upstreams(IReadOnlyList<PolicyOverride> overrides, List<int> indexes, IReadOnlyCollection<string>? configured)
    {
        var anyUpstream = MaskOf(indexes.Where(i => overrides[i].Upstream is null));
        var named = indexes.Select(i => overrides[i].Upstream).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var result = named
            .Select(u => (anyUpstream | MaskOf(indexes.Where(i => string.Equals(overrides[i].Upstream, u, StringComparison.OrdinalIgnoreCase))), $"upstream '{u}'"))
            .ToList();

        // Without the gateway's configuration (policy check) any other upstream may exist; with it, only those it has.
        if (configured is null)
        {
            result.Add((anyUpstream, named.Count == 0 ? "any upstream" : "another upstream"));
        }
        else if (configured.FirstOrDefault(u => !named.Contains(u, StringComparer.OrdinalIgnoreCase)) is { } other)
        {
            result.Add((anyUpstream, $"upstream '{other}'"));
        }

        return result;
    }

    private static List<(ulong Mask, string Example)>? Models(IReadOnlyList<PolicyOverride> overrides, List<int> indexes)
    {
        var anyModel = MaskOf(indexes.Where(i => overrides[i].Model is null));
        var globbed = indexes.Where(i => overrides[i].Model is not null).ToList();
        if (globbed.Count == 0)
        {
            return [(anyModel, "any model")];
        }

        var sets = ModelGlobSets.Reachable([.. globbed.Select(i => overrides[i].Model!)], MaxModelStates);
        return sets?.Select(s => (anyModel | MaskOf(globbed.Where((_, bit) => (s.Matches & (1UL << bit)) != 0)), $"model '{s.Example}'")).ToList();
    }

    private static ulong MaskOf(IEnumerable<int> indexes) => indexes.Aggregate(0UL, (mask, i) => mask | (1UL << i));
}
