using RefusalGate.Gateway.Gate;

namespace RefusalGate.Gateway.Policies.Actions;

/// <summary>Forwards the request unchanged.</summary>
public sealed class AllowAction(string name) : IPolicyAction
{
    public const string TypeName = "allow";

    public string Name { get; } = name;

    public string Type => TypeName;

    public void Apply(GateContext context, PolicyDecision decision) => context.Decision = TypeName;
}
