using RefusalGate.Gateway.Policies.Actions;

namespace RefusalGate.Gateway.Policies.Loading;

internal enum ShadowTargetKind
{
    /// <summary>A real action: <see cref="ShadowTarget.Action"/>.</summary>
    Action,

    /// <summary>Another shadow action, which a shadow cannot wrap.</summary>
    Shadow,

    /// <summary>Declared but rejected; its own error is reported.</summary>
    Rejected,

    /// <summary>Not defined at all.</summary>
    Missing,
}

/// <summary>What the <c>of</c> of a shadow action names.</summary>
internal readonly record struct ShadowTarget(ShadowTargetKind Kind, IPolicyAction? Action = null);
