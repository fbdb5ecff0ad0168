using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Errors;

namespace RefusalGate.Gateway.Gate.Stages;

/// <summary>Refuses models outside <c>Gateway:ModelAccess</c> (allow globs minus deny globs) with 403.</summary>
internal sealed class ModelAccessStage(IOptions<GatewayOptions> options) : IGateStage
{
    private readonly ModelAccessOptions _access = options.Value.ModelAccess;

    public string Name => "model-access";

    public int Order => IGateStage.Orders.Access;

    public ValueTask InvokeAsync(GateContext context, CancellationToken cancellationToken)
    {
        var model = context.Request.Model;
        if ((_access.Allow.Count > 0 && !ModelGlob.IsMatchAny(_access.Allow, model)) || ModelGlob.IsMatchAny(_access.Deny, model))
        {
            context.Respond(OpenAiError.ModelNotAllowed(model), decision: "reject");
        }

        return ValueTask.CompletedTask;
    }
}
