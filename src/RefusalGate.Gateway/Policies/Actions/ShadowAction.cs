using RefusalGate.Gateway.Gate;

namespace RefusalGate.Gateway.Policies.Actions;

/// <summary>
/// Forwards unchanged and records what <see cref="Of"/> would have done, for rolling a policy out safely: the outcome
/// log and the decision metric show the would-be action, the client sees <c>x-refusalgate-shadow-decision</c>.
/// </summary>
public sealed class ShadowAction(string name, IPolicyAction of) : IPolicyAction
{
    public const string TypeName = "shadow";
    public const string ShadowDecisionHeader = "x-refusalgate-shadow-decision";

    public string Name { get; } = name;

    public string Type => TypeName;

    public IPolicyAction Of { get; } = of;

    public void Apply(GateContext context, PolicyDecision decision)
    {
        context.Decision = TypeName;
        context.Policy.ShadowOf = Of.Type;
        context.SetHeader(ShadowDecisionHeader, Of.Type);
    }
}
