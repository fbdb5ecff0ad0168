using Newtonsoft.Json.Linq;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>Where a JSON token came from in its YAML file; attached to tokens as a Newtonsoft annotation.</summary>
internal sealed record SourcePosition(int Line, int Column)
{
    public static readonly SourcePosition Unknown = new(0, 0);

    public static SourcePosition Of(JToken? token) =>
        token?.Annotation<SourcePosition>() ?? (token?.Parent is { } parent ? Of(parent) : Unknown);
}
