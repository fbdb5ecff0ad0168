namespace RefusalGate.Gateway.Policies.Loading;

// The shapes of a policy file as written (policies/policy.schema.json is the contract). Every setting is optional so
// that a layer (the default policy, a category, an override) sets only what it changes; PolicyCompiler resolves them.
// Newtonsoft binds the camelCase keys case-insensitively. A value the schema rejected arrives as null
// (PolicyDocumentBinder); settings that cannot be absent turn that null back into their default.

internal sealed class PolicyDocument
{
    public int? Version { get; set; }

    public TenantsDocument? Tenants { get; set; }

    public Dictionary<string, ActionDocument>? Actions { get; set; }

    public PolicyLayerDocument? Policy { get; set; }

    public List<OverrideDocument>? Overrides { get; set; }
}

internal sealed class TenantsDocument
{
    public string? Header { get; set; }

    public List<TenantKeyDocument>? ApiKeys { get; set; }
}

internal sealed class TenantKeyDocument
{
    public string Sha256 { get; set => field = value ?? ""; } = "";

    public string Tenant { get; set => field = value ?? ""; } = "";
}

internal sealed class ActionDocument
{
    public string Type { get; set => field = value ?? ""; } = "";

    public Dictionary<string, string>? Headers { get; set; }

    public string? Of { get; set; }

    public string? SystemMessage { get; set; }

    public double? Temperature { get; set; }

    public int? MaxTokens { get; set; }

    public string? Upstream { get; set; }

    public string? Model { get; set; }

    public string? Message { get; set; }

    public string? RespondWith { get; set; }
}

internal sealed class ThresholdsDocument
{
    public double? Refuse { get; set; }

    public double? Comply { get; set; }
}

internal sealed class ZoneActionsDocument
{
    public string? Refuse { get; set; }

    public string? Uncertain { get; set; }

    public string? Comply { get; set; }
}

internal sealed class SelfPredictionDocument
{
    public string? Mode { get; set; }

    public double? SampleRate { get; set; }

    public int? TimeoutMs { get; set; }

    public int? MaxTokens { get; set; }

    public int? CacheTtlSeconds { get; set; }

    public int? BudgetPerMinute { get; set; }

    public string? SystemPrompt { get; set; }

    public string? UserPrompt { get; set; }
}

internal sealed class FusionDocument
{
    public double? Bias { get; set; }

    public double? ClassifierWeight { get; set; }

    public double? SelfWeight { get; set; }

    public bool? Fit { get; set; }

    public int? MinSamples { get; set; }
}

internal sealed class CategoryPolicyDocument
{
    public ThresholdsDocument? Thresholds { get; set; }

    public ZoneActionsDocument? Actions { get; set; }

    public SelfPredictionDocument? SelfPrediction { get; set; }
}

internal sealed class PolicyLayerDocument
{
    public string? FailMode { get; set; }

    public string? UnreadContent { get; set; }

    public string? FailAction { get; set; }

    public ThresholdsDocument? Thresholds { get; set; }

    public ZoneActionsDocument? Actions { get; set; }

    public SelfPredictionDocument? SelfPrediction { get; set; }

    public FusionDocument? Fusion { get; set; }

    public Dictionary<string, CategoryPolicyDocument>? Categories { get; set; }
}

internal sealed class OverrideDocument
{
    public string? Name { get; set; }

    /// <summary>Null when missing or rejected: what the override applies to is then unknown.</summary>
    public MatchDocument? Match { get; set; }

    public PolicyLayerDocument Policy { get; set => field = value ?? new(); } = new();
}

internal sealed class MatchDocument
{
    public string? Tenant { get; set; }

    public string? Upstream { get; set; }

    public string? Model { get; set; }
}
