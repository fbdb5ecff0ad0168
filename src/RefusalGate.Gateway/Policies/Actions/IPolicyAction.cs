using RefusalGate.Gateway.Gate;

namespace RefusalGate.Gateway.Policies.Actions;

/// <summary>
/// What a policy does with a request in a zone. Like YARP's transforms, each type has a factory that validates its
/// settings when the policy is loaded (<see cref="PolicyActionFactory"/>) and an immutable instance that applies them
/// per request, so a bad setting is a load error, never a request-time surprise.
/// </summary>
public interface IPolicyAction
{
    /// <summary>The name the policy file gives the action (e.g. <c>crisis-resources</c>).</summary>
    string Name { get; }

    /// <summary>The action type, reported in <c>x-refusalgate-decision</c>: allow, annotate, shadow, strict, block, constructive.</summary>
    string Type { get; }

    void Apply(GateContext context, PolicyDecision decision);
}

/// <summary>What the policy stage concluded about a request, handed to the action it chose.</summary>
public readonly record struct PolicyDecision(Model.PolicyZone Zone, string Category, double RefusalProbability);
