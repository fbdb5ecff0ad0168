using RefusalGate.Classification.Prediction;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.Policies;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// What a request's record needs of the gate once the response has gone: taken from the <see cref="GateContext"/> when
/// the observation is queued, so a queued observation keeps neither the request's <c>HttpContext</c> (which the server
/// reuses for the connection's next request, and whose connection it keeps alive) nor its parsed body (the whole
/// conversation): a backlog of observations behind a slow detector holds this much per request, not the request.
/// </summary>
internal sealed record GatedRequest(
    string RequestId,
    string Upstream,
    string Model,
    LlmEndpoint Endpoint,
    bool Stream,
    string Decision,
    bool IsAnswered,
    string LastUserMessage,
    UnreadContent LastUserUnread,
    PolicyTrace Policy,
    PromptPrediction? Prediction,
    PromptPrediction? RawPrediction,
    TimeSpan? GateDuration,
    TimeSpan? ClassifierDuration)
{
    public static GatedRequest From(GateContext gate) => new(
        gate.RequestId,
        gate.Upstream,
        gate.Request.Model,
        gate.Request.Endpoint,
        gate.Request.Stream,
        gate.Decision,
        gate.IsAnswered,
        gate.Request.LastUserMessage,
        gate.Request.LastUserUnread,
        gate.Policy,
        gate.Prediction,
        gate.RawPrediction,
        gate.GateDuration,
        gate.ClassifierDuration);
}
