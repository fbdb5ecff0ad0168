namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>
/// Where a policy layer (the default policy or an override's) was written, so that a problem found only once layers
/// are merged can still name each setting involved with its file and line.
/// </summary>
internal sealed record LayerSource(string Name, PolicyIssues Issues, object[] Path)
{
    /// <summary>A diagnostic at a threshold the layer sets: its general one, or <paramref name="category"/>'s own.</summary>
    public PolicyDiagnostic ThresholdAt(string? category, string threshold, string message = "")
    {
        var position = Issues.PositionOf(category is null ? [.. Path, "thresholds", threshold] : [.. Path, "categories", category, "thresholds", threshold]);
        return new PolicyDiagnostic(Issues.File, position.Line, position.Column, message);
    }

    /// <summary>A diagnostic at the value of the override's <c>match.</c><paramref name="key"/> (an override's layer only).</summary>
    public PolicyDiagnostic MatchAt(string key, string message)
    {
        var position = Issues.PositionOf([.. Path[..^1], "match", key]);
        return new PolicyDiagnostic(Issues.File, position.Line, position.Column, message);
    }

    /// <summary>The layer, or the category entry within it, as a message names it.</summary>
    public string Describe(string? category) => category is null ? Name : $"{Name}, category '{category}'";
}
