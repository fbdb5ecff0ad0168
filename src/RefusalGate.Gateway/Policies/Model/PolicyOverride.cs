using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Policies.Loading;

namespace RefusalGate.Gateway.Policies.Model;

/// <summary>
/// A policy layer that applies to requests matching a tenant, an upstream and/or a model glob. More specific overrides
/// are applied later (they win): a tenant outranks an upstream, which outranks a model; an exact model outranks a glob,
/// a longer glob a shorter one; equal ranks apply in file order.
/// </summary>
internal sealed class PolicyOverride
{
    public PolicyOverride(string name, string? tenant, string? upstream, string? model, PolicyLayerDocument layer)
    {
        Name = name;
        Tenant = tenant;
        Upstream = upstream;
        Model = model;
        Layer = layer;
        Specificity = (tenant is null ? 0 : 1_000_000) + (upstream is null ? 0 : 100_000)
            + (model is null ? 0 : Math.Min(ModelGlob.Specificity(model), 99_999));
    }

    public string Name { get; }

    public string? Tenant { get; }

    public string? Upstream { get; }

    public string? Model { get; }

    public PolicyLayerDocument Layer { get; }

    public int Specificity { get; }

    public bool Matches(string? tenant, string upstream, string model) =>
        (Tenant is null || string.Equals(Tenant, tenant, StringComparison.Ordinal))
        && (Upstream is null || string.Equals(Upstream, upstream, StringComparison.OrdinalIgnoreCase))
        && (Model is null || ModelGlob.IsMatch(Model, model));
}
