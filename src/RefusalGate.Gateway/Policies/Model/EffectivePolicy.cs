using System.Collections.Frozen;
using RefusalGate.Gateway.Policies.Actions;

namespace RefusalGate.Gateway.Policies.Model;

/// <summary>
/// The policy that applies to one scope (a combination of matching overrides), with every setting resolved: one
/// <see cref="CategoryRule"/> per category plus the rule for anything else.
/// </summary>
public sealed class EffectivePolicy(
    FrozenDictionary<string, CategoryRule> categories,
    CategoryRule fallback,
    FailMode failMode,
    IPolicyAction failAction,
    FusionSettings fusion,
    IReadOnlyList<string> appliedOverrides,
    UnreadContentRule unreadContent)
{
    public FailMode FailMode { get; } = failMode;

    /// <summary>What a request with content the classifier cannot read gets (see <see cref="UnreadContentRule"/>).</summary>
    public UnreadContentRule UnreadContent { get; } = unreadContent;

    /// <summary>The action taken for a failure in <see cref="Model.FailMode.Closed"/> mode.</summary>
    public IPolicyAction FailAction { get; } = failAction;

    public FusionSettings Fusion { get; } = fusion;

    /// <summary>Names of the overrides that shaped this policy, least specific first (for logs and <c>policy explain</c>).</summary>
    public IReadOnlyList<string> AppliedOverrides { get; } = appliedOverrides;

    public CategoryRule Fallback { get; } = fallback;

    /// <summary>Every rule: one per named category, then the fallback.</summary>
    public IEnumerable<CategoryRule> Rules => categories.Values.Append(Fallback);

    public CategoryRule RuleFor(string category) => categories.GetValueOrDefault(category) ?? Fallback;
}
