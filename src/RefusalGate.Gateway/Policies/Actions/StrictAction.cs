using System.Text.Json;
using System.Text.Json.Nodes;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Policies.Actions;

/// <summary>
/// Forwards under a stricter policy: a safety system message before the conversation, a lower temperature, a token
/// cap, and/or another model or upstream. Only what is configured changes, and never toward less strict: a client's
/// lower temperature or smaller token limit is kept.
/// </summary>
public sealed class StrictAction(string name, string? systemMessage, double? temperature, int? maxTokens, string? upstream, string? model) : IPolicyAction
{
    public const string TypeName = "strict";

    private const string MaxTokensField = "max_tokens";

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

        // A reasoning model rejects any temperature but its default: setting one would turn the request into a 400.
        if (Temperature is { } temperature && !request.TargetsReasoningModel && !(NumberIn(request, "temperature") <= temperature))
        {
            request.SetParameter("temperature", temperature);
        }

        if (MaxTokens is { } cap)
        {
            foreach (var field in TokenCapFields(request))
            {
                if (!(NumberIn(request, field) <= cap))
                {
                    request.SetParameter(field, cap);
                }
            }
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

    /// <summary>
    /// The fields the token cap goes into: <c>max_completion_tokens</c> for a reasoning model's request (o1/o3-style models
    /// reject <c>max_tokens</c>, so it is not added there), and <c>max_tokens</c> when the client sets it or it is not one.
    /// A cap left in either field would let the model write past the other. The Responses API has one field,
    /// <c>max_output_tokens</c>.
    /// </summary>
    private static IEnumerable<string> TokenCapFields(LlmRequest request)
    {
        if (request.Endpoint == LlmEndpoint.Responses)
        {
            // The Responses API's only cap; it refuses the chat fields as unknown parameters.
            yield return LlmRequest.MaxOutputTokensField;
            yield break;
        }

        var usesCompletionTokens = request.TargetsReasoningModel;
        if (usesCompletionTokens)
        {
            yield return LlmRequest.MaxCompletionTokensField;
        }

        if (!usesCompletionTokens || request.Body.ContainsKey(MaxTokensField))
        {
            yield return MaxTokensField;
        }
    }

    /// <summary>The client's own value of a numeric setting; null when absent or not a number (then the policy's applies).</summary>
    private static double? NumberIn(LlmRequest request, string name) =>
        request.Body[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<double>(out var number) ? number : null;
}
