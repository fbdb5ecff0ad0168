using RefusalGate.Gateway.Policies.Actions;

namespace RefusalGate.Gateway.Policies.Model;

/// <summary>The resolved policy for one category: its thresholds, the action per zone and the self-prediction settings.</summary>
public sealed class CategoryRule(
    string category,
    double refuseAt,
    double complyAt,
    IPolicyAction onRefuse,
    IPolicyAction onUncertain,
    IPolicyAction onComply,
    SelfPredictionSettings selfPrediction)
{
    public string Category { get; } = category;

    public double RefuseAt { get; } = refuseAt;

    public double ComplyAt { get; } = complyAt;

    public SelfPredictionSettings SelfPrediction { get; } = selfPrediction;

    public PolicyZone ZoneOf(double refusalProbability) =>
        refusalProbability >= RefuseAt ? PolicyZone.Refuse
        : refusalProbability <= ComplyAt ? PolicyZone.Comply
        : PolicyZone.Uncertain;

    public IPolicyAction ActionFor(PolicyZone zone) => zone switch
    {
        PolicyZone.Refuse => onRefuse,
        PolicyZone.Uncertain => onUncertain,
        _ => onComply,
    };
}
