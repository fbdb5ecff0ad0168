using Microsoft.AspNetCore.Http;
using RefusalGate.Classification.Prediction;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.Policies;

namespace RefusalGate.Gateway.Gate;

/// <summary>
/// The state one request carries through the gate's stages: the parsed request, where it goes, the decision taken,
/// the headers to report, and — when a stage answers by itself — the response to give instead of forwarding.
/// </summary>
public sealed class GateContext(HttpContext httpContext, LlmRequest request, string upstream, GatewayResponseHeaders responseHeaders = GatewayResponseHeaders.All)
{
    public const string DecisionHeader = "x-refusalgate-decision";
    public const string DefaultDecision = "allow";

    private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The headers an <c>annotate</c> action adds: what the operator chose to tell the client.</summary>
    private readonly Dictionary<string, string> _annotations = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The request's HTTP context: valid only while the request runs, never in background work.</summary>
    public HttpContext HttpContext { get; } = httpContext;

    public string RequestId { get; } = httpContext.TraceIdentifier;

    public LlmRequest Request { get; } = request;

    /// <summary>The upstream (YARP cluster) the request will be forwarded to.</summary>
    public string Upstream { get; private set; } = upstream;

    /// <summary>The action taken, reported in <see cref="DecisionHeader"/>; stages that act set it.</summary>
    public string Decision { get; set; } = DefaultDecision;

    /// <summary>Set when a stage answers the request itself; later stages do not run and nothing is forwarded.</summary>
    public IGateResponse? Response { get; private set; }

    public bool IsAnswered => Response is not null;

    /// <summary>The prompt classifier's prediction, when the classification stage ran.</summary>
    public PromptPrediction? Prediction { get; set; }

    /// <summary>The classifier's own prediction, when online recalibration replaced it in <see cref="Prediction"/>.</summary>
    public PromptPrediction? RawPrediction { get; set; }

    public TimeSpan? ClassifierDuration { get; set; }

    /// <summary>What the policy stage decided and why (zone, category, self-prediction, fail mode).</summary>
    public PolicyTrace Policy { get; } = new();

    /// <summary>Time from the start of body reading to the forwarding decision.</summary>
    public TimeSpan? GateDuration { get; set; }

    public void RouteTo(string upstream) => Upstream = upstream;

    public void Respond(IGateResponse response, string? decision = null)
    {
        Response = response;
        if (decision is not null)
        {
            Decision = decision;
        }
    }

    /// <summary>Adds an <c>x-refusalgate-*</c> header about the gate's view (prediction, zone, ...) to the client's response.</summary>
    public void SetHeader(string name, string value) => _headers[name] = value;

    /// <summary>Adds a header an <c>annotate</c> action was configured to give the client.</summary>
    public void SetAnnotationHeader(string name, string value) => _annotations[name] = value;

    /// <summary>The headers <c>Gateway:ResponseHeaders</c> lets the client see.</summary>
    internal void WriteHeaders(IHeaderDictionary headers)
    {
        if (responseHeaders == GatewayResponseHeaders.None)
        {
            return;
        }

        headers[DecisionHeader] = Decision;
        foreach (var (name, value) in _annotations)
        {
            headers[name] = value;
        }

        if (responseHeaders == GatewayResponseHeaders.All)
        {
            foreach (var (name, value) in _headers)
            {
                headers[name] = value;
            }
        }
    }
}
