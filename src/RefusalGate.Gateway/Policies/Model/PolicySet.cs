using System.Collections.Concurrent;
using System.Collections.Frozen;
using RefusalGate.Gateway.Policies.Actions;
using RefusalGate.Gateway.Policies.Loading;
using RefusalGate.Gateway.Policies.Tenancy;

namespace RefusalGate.Gateway.Policies.Model;

/// <summary>
/// A loaded, validated set of policy files: the default layer, the overrides (sorted least specific first), the named
/// actions and how tenants are recognised. Immutable; a reload builds a new set. <see cref="Resolve"/> is on the request
/// path: it only evaluates the matchers, and caches the merged policy per combination of matching overrides.
/// </summary>
public sealed class PolicySet
{
    /// <summary>Overrides are tracked in a 64-bit mask; the loader rejects more.</summary>
    public const int MaxOverrides = 64;

    private readonly PolicyLayerDocument _default;
    private readonly PolicyOverride[] _overrides;
    private readonly IReadOnlyCollection<string> _categories;
    private readonly FrozenDictionary<string, IPolicyAction> _actions;
    private readonly ConcurrentDictionary<ulong, EffectivePolicy> _resolved = new();

    internal PolicySet(
        PolicyLayerDocument defaultLayer,
        IEnumerable<PolicyOverride> overrides,
        IReadOnlyCollection<string> categories,
        FrozenDictionary<string, IPolicyAction> actions,
        TenantResolver tenants,
        IReadOnlyList<string> files)
    {
        _default = defaultLayer;
        _overrides = [.. overrides.Select((o, i) => (o, i)).OrderBy(x => x.o.Specificity).ThenBy(x => x.i).Select(x => x.o)];
        _categories = categories;
        _actions = actions;
        Tenants = tenants;
        Files = files;
    }

    public TenantResolver Tenants { get; }

    /// <summary>The files this set was loaded from.</summary>
    public IReadOnlyList<string> Files { get; }

    public IReadOnlyDictionary<string, IPolicyAction> Actions => _actions;

    public int OverrideCount => _overrides.Length;

    /// <summary>The policy for a request from <paramref name="tenant"/> (null when none) to a model on an upstream.</summary>
    public EffectivePolicy Resolve(string? tenant, string upstream, string model)
    {
        ulong mask = 0;
        for (var i = 0; i < _overrides.Length; i++)
        {
            if (_overrides[i].Matches(tenant, upstream, model))
            {
                mask |= 1UL << i;
            }
        }

        return _resolved.TryGetValue(mask, out var policy) ? policy : _resolved.GetOrAdd(mask, Build);
    }

    /// <summary>The overrides least specific first; bit i of a mask is override i.</summary>
    internal IReadOnlyList<PolicyOverride> Overrides => _overrides;

    /// <summary>Merges the default layer and the overrides in <paramref name="mask"/>, least specific first.</summary>
    internal EffectivePolicy Build(ulong mask) =>
        PolicyLayers.Merge(LayersOf(mask), _categories, _actions, [.. Selected(mask).Select(o => o.Name)]);

    /// <summary>The layers a request matching the overrides in <paramref name="mask"/> gets, in the order they apply.</summary>
    internal IReadOnlyList<PolicyLayerDocument> LayersOf(ulong mask) => [_default, .. Selected(mask).Select(o => o.Layer)];

    /// <summary>Every category name whose rule a request matching <paramref name="mask"/> can get, the fallback included.</summary>
    internal IReadOnlyList<string> CategoriesOf(ulong mask) =>
        [.. PolicyLayers.NamedCategories(LayersOf(mask), _categories).Append(PolicyLayers.FallbackCategory).Distinct(StringComparer.Ordinal)];

    private IEnumerable<PolicyOverride> Selected(ulong mask) => _overrides.Where((_, i) => (mask & (1UL << i)) != 0);
}
