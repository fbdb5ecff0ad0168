using Newtonsoft.Json.Linq;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>Collects diagnostics for one file, placing each at the YAML position of the setting it is about.</summary>
internal sealed class PolicyIssues(string file, JToken root, List<PolicyDiagnostic> all)
{
    public string File { get; } = file;

    public JToken Root { get; } = root;

    /// <summary>Reports a problem at the node reached by <paramref name="path"/> (keys and indexes), or its nearest existing parent.</summary>
    public void At(string message, params object[] path)
    {
        var token = Root;
        foreach (var segment in path)
        {
            var next = segment switch
            {
                string key when token is JObject obj => obj.Property(key, StringComparison.OrdinalIgnoreCase) is { } property ? property : null,
                int index when token is JArray array && index < array.Count => array[index],
                _ => null,
            };
            if (next is null)
            {
                break;
            }

            token = next is JProperty p && !ReferenceEquals(segment, path[^1]) ? p.Value : next;
        }

        var position = SourcePosition.Of(token);
        all.Add(new PolicyDiagnostic(File, position.Line, position.Column, message));
    }
}
