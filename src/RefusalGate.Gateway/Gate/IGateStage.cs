namespace RefusalGate.Gateway.Gate;

/// <summary>
/// One step of the gate, run in <see cref="Order"/> before forwarding. A stage may read the request, rewrite it,
/// re-route it, record a decision or answer it directly (<see cref="GateContext.Respond"/>), which ends the run.
/// Stages are singletons with their own options; they must be safe for concurrent requests.
/// </summary>
public interface IGateStage
{
    /// <summary>Well-known positions; later issues slot their stages between these.</summary>
    static class Orders
    {
        public const int Access = 100;
        public const int Routing = 200;
        public const int Classification = 300;
        public const int Policy = 400;
    }

    string Name { get; }

    int Order { get; }

    ValueTask InvokeAsync(GateContext context, CancellationToken cancellationToken);
}
