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

    /// <summary>Merges the default layer and the overrides in <paramref name="mask"/>, least specific first.</summary>
    internal EffectivePolicy Build(ulong mask)
    {
        var layers = new List<PolicyLayerDocument> { _default };
        var names = new List<string>();
        for (var i = 0; i < _overrides.Length; i++)
        {
            if ((mask & (1UL << i)) != 0)
            {
                layers.Add(_overrides[i].Layer);
                names.Add(_overrides[i].Name);
            }
        }

        return PolicyLayers.Merge(layers, _categories, _actions, names);
    }

    /// <summary>Every scope the file defines on its own: the default, and each override on top of it (for validation).</summary>
    internal IEnumerable<(string Scope, ulong Mask)> SingleScopes() =>
        new[] { ("the default policy", 0UL) }.Concat(_overrides.Select((o, i) => ($"override '{o.Name}'", 1UL << i)));
}
