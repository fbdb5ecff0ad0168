using RefusalGate.Gateway.Policies.Model;
using RefusalGate.Gateway.Policies.SelfPrediction;

namespace RefusalGate.Gateway.Policies;

/// <summary>
/// What the policy stage did with one request, for the response headers, the outcome log and the metrics. Filled
/// while the stage runs; read after the response (never by the client-facing path).
/// </summary>
public sealed class PolicyTrace
{
    /// <summary>The tenant label (bounded: known tenants, <c>unknown</c> or <c>none</c>).</summary>
    public string Tenant { get; set; } = Tenancy.TenantResolver.None;

    /// <summary>The category whose rule applied (<c>default</c> for anything the taxonomy does not name).</summary>
    public string? Category { get; set; }

    public PolicyZone? Zone { get; set; }

    /// <summary>The configured name of the action taken.</summary>
    public string? Action { get; set; }

    /// <summary>For a shadow action: the type of action that would have been taken.</summary>
    public string? ShadowOf { get; set; }

    /// <summary>The model's own prediction, when the cascade asked (inline); see <see cref="ShadowSelfPrediction"/> for the shadow one.</summary>
    public SelfPredictionResult? SelfPrediction { get; set; }

    /// <summary>A self-prediction running beside the forwarded request (shadow or sampled); awaited by the outcome judge.</summary>
    public Task<SelfPredictionResult>? ShadowSelfPrediction { get; set; }

    /// <summary>The fused refusal probability when a self-prediction was combined with the classifier's.</summary>
    public double? FusedProbability { get; set; }

    /// <summary>Set when a stage failed and the fail mode decided (<c>open</c> or <c>closed</c>).</summary>
    public string? FailMode { get; set; }
}
