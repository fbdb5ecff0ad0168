using RefusalGate.Gateway.Gate;

namespace RefusalGate.Gateway.Policies.Actions;

/// <summary>
/// Forwards under a stricter policy: a safety system message before the conversation, a lower temperature, a token
/// cap, and/or another model or upstream. Only what is configured changes.
/// </summary>
public sealed class StrictAction(string name, string? systemMessage, double? temperature, int? maxTokens, string? upstream, string? model) : IPolicyAction
{
    public const string TypeName = "strict";

    public const string DefaultSystemMessage =
        "Follow your safety guidelines strictly. Decline requests that could cause harm, and when you decline, say so " +
        "briefly and offer a safe alternative. Answer benign requests normally and helpfully.";

    public string Name { get; } = name;

    public string Type => TypeName;

    public string? SystemMessage { get; } = systemMessage;

    public double? Temperature { get; } = temperature;

    public int? MaxTokens { get; } = maxTokens;

    public string? Upstream { get; } = upstream;

    public string? Model { get; } = model;

    public void Apply(GateContext context, PolicyDecision decision)
    {
        context.Decision = TypeName;
        var request = context.Request;
        if (SystemMessage is not null)
        {
            request.PrependSystemMessage(SystemMessage);
        }

        if (Temperature is { } temperature)
        {
            request.SetParameter("temperature", temperature);
        }

        if (MaxTokens is { } cap && (request.Body["max_tokens"]?.GetValueKind() != System.Text.Json.JsonValueKind.Number || (int)request.Body["max_tokens"]! > cap))
        {
            request.SetParameter("max_tokens", cap);
        }

        if (Model is not null)
        {
            request.SetModel(Model);
        }

        if (Upstream is not null)
        {
            context.RouteTo(Upstream);
        }
    }
}
