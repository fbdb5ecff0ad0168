using Newtonsoft.Json.Linq;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>Collects diagnostics for one file, placing each at the YAML position of the setting it is about.</summary>
internal sealed class PolicyIssues(string file, JToken root, List<PolicyDiagnostic> all)
{
    public string File { get; } = file;

    public JToken Root { get; } = root;

    /// <summary>Reports a problem with a key (a name that is wrong or misplaced) at that key, or its nearest existing parent.</summary>
    public void At(string message, params object[] path) => Add(message, Find(path));

    /// <summary>
    /// Reports a problem with a value (a reference to something that does not exist) at the value, so an editor jumps to
    /// the word to change rather than to the key in front of it.
    /// </summary>
    public void AtValue(string message, params object[] path) => Add(message, ValueAt(path));

    /// <summary>Where the value of the setting at <paramref name="path"/> was written (for messages that name several places).</summary>
    public SourcePosition PositionOf(params object[] path) => SourcePosition.Of(ValueAt(path));

    /// <summary><c>file:line:column</c> of the key at <paramref name="path"/>, for a message that points at an earlier setting.</summary>
    public string LocationOf(params object[] path)
    {
        var position = SourcePosition.Of(Find(path));
        return new PolicyDiagnostic(File, position.Line, position.Column, "").Location;
    }

    private void Add(string message, JToken token)
    {
        var position = SourcePosition.Of(token);
        all.Add(new PolicyDiagnostic(File, position.Line, position.Column, message));
    }

    private JToken ValueAt(object[] path)
    {
        var token = Find(path);
        return token is JProperty property ? property.Value : token;
    }

    /// <summary>The node reached by <paramref name="path"/>; the last key yields its property (positioned at the key).</summary>
    private JToken Find(object[] path)
    {
        var token = Root;
        for (var i = 0; i < path.Length; i++)
        {
            var next = path[i] switch
            {
                string key when token is JObject obj => obj.Property(key, StringComparison.OrdinalIgnoreCase) is { } property ? property : null,
                int index when token is JArray array && index < array.Count => array[index],
                _ => null,
            };
            if (next is null)
            {
                break;
            }

            token = next is JProperty p && i < path.Length - 1 ? p.Value : next;
        }

        return token;
    }
}
