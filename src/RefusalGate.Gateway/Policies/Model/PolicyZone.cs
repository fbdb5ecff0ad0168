namespace RefusalGate.Gateway.Policies.Model;

/// <summary>Where a refusal probability falls against a category's thresholds.</summary>
public enum PolicyZone
{
    /// <summary>At or above the refuse threshold: confidently predicted to be refused.</summary>
    Refuse,

    /// <summary>Between the thresholds: the prediction is not confident.</summary>
    Uncertain,

    /// <summary>At or below the comply threshold: confidently predicted to be answered.</summary>
    Comply,
}

public static class PolicyZoneNames
{
    public static string ToWireName(this PolicyZone zone) => zone switch
    {
        PolicyZone.Refuse => "refuse",
        PolicyZone.Uncertain => "uncertain",
        _ => "comply",
    };
}
