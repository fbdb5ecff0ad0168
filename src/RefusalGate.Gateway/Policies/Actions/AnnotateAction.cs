using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.Policies.Model;

namespace RefusalGate.Gateway.Policies.Actions;

/// <summary>
/// Forwards unchanged but labels the exchange: <c>x-refusalgate-annotation: zone; category=...</c> and any configured
/// headers, on the client's response and on the forwarded request (so the application behind can react too).
/// </summary>
public sealed class AnnotateAction(string name, IReadOnlyDictionary<string, string> headers) : IPolicyAction
{
    public const string TypeName = "annotate";
    public const string AnnotationHeader = "x-refusalgate-annotation";

    public string Name { get; } = name;

    public string Type => TypeName;

    public IReadOnlyDictionary<string, string> Headers { get; } = headers;

    public void Apply(GateContext context, PolicyDecision decision)
    {
        context.Decision = TypeName;
        var annotation = $"{decision.Zone.ToWireName()}; category={decision.Category}";
        context.SetAnnotationHeader(AnnotationHeader, annotation);
        context.HttpContext.Request.Headers[AnnotationHeader] = annotation;
        foreach (var (header, value) in Headers)
        {
            context.SetAnnotationHeader(header, value);
            context.HttpContext.Request.Headers[header] = value;
        }
    }
}
