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

    /// <summary>
    /// The loader rejects any combination of layers that puts comply above refuse. Should a rule still get one, the
    /// stricter reading wins: the band closes and the comply zone ends below the refuse threshold, so a probability
    /// between the two is refused rather than allowed, and no request fails because of it.
    /// </summary>
    public double ComplyAt { get; } = Math.Min(complyAt, refuseAt);

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
