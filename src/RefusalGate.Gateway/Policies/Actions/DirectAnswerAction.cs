using RefusalGate.Gateway.Errors;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Policies.Actions;

/// <summary>
/// Answers without calling the upstream: <c>block</c> with a refusal message, <c>constructive</c> with a safe, helpful
/// one (e.g. crisis resources). By default the answer is a normal completion in the provider's format (streamed when
/// the client asked for a stream; a Responses API <c>response</c> for <c>/v1/responses</c>, a block as its refusal part)
/// so every client shows it; <c>respondWith: error</c> makes it an OpenAI-style 403.
/// </summary>
public sealed class DirectAnswerAction(string name, string type, string message, bool asError) : IPolicyAction
{
    public const string BlockTypeName = "block";
    public const string ConstructiveTypeName = "constructive";

    public const string DefaultBlockMessage = "I can't help with that request.";

    public const string DefaultConstructiveMessage =
        "I can't help with that, but I can help you find safer options or information. If you or someone else is in " +
        "danger, please contact local emergency services or a crisis line right away.";

    public string Name { get; } = name;

    public string Type { get; } = type;

    public string Message { get; } = message;

    public bool AsError { get; } = asError;

    public void Apply(GateContext context, PolicyDecision decision)
    {
        var request = context.Request;

        // Answering in the provider's place, the gateway refuses what the provider would have refused before answering.
        if (!request.TryReadChoiceCount(out var choices, out var invalid))
        {
            context.Respond(invalid, Type);
            return;
        }

        IGateResponse answer = AsError
            ? new OpenAiError(403, Message, "invalid_request_error", "refused_by_policy")
            : request.Endpoint == LlmEndpoint.Responses
            ? new PolicyResponse(Message, request.Model, request.Stream, AsRefusal: Type == BlockTypeName)
            : new PolicyCompletion(Message, request.Model, request.Endpoint == LlmEndpoint.ChatCompletions, request.Stream,
                FinishReason: Type == BlockTypeName ? "content_filter" : "stop", choices, request.IncludeUsage, AsRefusal: request.AsksForStructuredOutput);
        context.Respond(answer, Type);
    }
}
