namespace RefusalGate.Gateway.Gate;

/// <summary>Runs the registered stages in order until one answers the request.</summary>
public sealed class GatePipeline(IEnumerable<IGateStage> stages)
{
    private readonly IGateStage[] _stages = [.. stages.OrderBy(s => s.Order)];

    public IReadOnlyList<IGateStage> Stages => _stages;

    public async ValueTask RunAsync(GateContext context, CancellationToken cancellationToken)
    {
        foreach (var stage in _stages)
        {
            await stage.InvokeAsync(context, cancellationToken);
            if (context.IsAnswered)
            {
                return;
            }
        }
    }
}
