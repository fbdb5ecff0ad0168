using RefusalGate.Gateway.Errors;
using RefusalGate.Gateway.Proxy;

namespace RefusalGate.Gateway.Gate.Stages;

/// <summary>Sends the request to the upstream that serves its model; a model no upstream serves gets 404.</summary>
internal sealed class UpstreamRoutingStage(UpstreamCatalog catalog) : IGateStage
{
    public string Name => "upstream-routing";

    public int Order => IGateStage.Orders.Routing;

    public ValueTask InvokeAsync(GateContext context, CancellationToken cancellationToken)
    {
        var upstream = catalog.FindUpstream(context.Request.Model);
        if (upstream is null)
        {
            context.Respond(OpenAiError.ModelNotFound(context.Request.Model), decision: "reject");
        }
        else
        {
            context.RouteTo(upstream);
        }

        return ValueTask.CompletedTask;
    }
}
