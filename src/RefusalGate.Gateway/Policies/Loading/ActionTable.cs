using RefusalGate.Gateway.Policies.Actions;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>
/// The actions a policy directory can name: the built-ins, the declared actions that were built, and the declared ones
/// that were rejected. A rejected action's error is reported where it is declared; a zone or a shadow naming it is not a
/// second mistake, so it is known here and references to it are not reported again.
/// </summary>
internal sealed class ActionTable
{
    private readonly Dictionary<string, (ActionDocument? Settings, PolicyIssues Issues)> _declared = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rejected = new(StringComparer.Ordinal);

    private ActionTable()
    {
    }

    /// <summary>Every action that was built, by name (built-ins included).</summary>
    public Dictionary<string, IPolicyAction> Built { get; } = PolicyActionFactory.BuiltIns().ToDictionary(a => a.Name, StringComparer.Ordinal);

    /// <summary>An action was rejected or declared twice: the set cannot be used.</summary>
    public bool Failed { get; private set; }

    /// <summary>Every name that exists, built or not, in order (for "Unknown action" messages).</summary>
    public IEnumerable<string> Names => Built.Keys.Concat(_declared.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    public bool IsDeclared(string name) => Built.ContainsKey(name) || _declared.ContainsKey(name);

    public static ActionTable Build(List<(PolicyDocument Document, PolicyIssues Issues)> documents, IReadOnlyCollection<string>? upstreams)
    {
        var table = new ActionTable();
        foreach (var (document, issues) in documents)
        {
            foreach (var (name, settings) in document.Actions ?? [])
            {
                if (table._declared.TryGetValue(name, out var first))
                {
                    issues.At($"Action '{name}' is already defined in {first.Issues.LocationOf("actions", name)}.", "actions", name);
                    table.Failed = true;
                    continue;
                }

                table._declared[name] = (settings, issues);
            }
        }

        // Shadows refer to other actions, so build them last.
        foreach (var (name, (settings, issues)) in table._declared.OrderBy(d => d.Value.Settings?.Type == ShadowAction.TypeName ? 1 : 0))
        {
            // Settings the schema rejected as a whole (not a mapping) arrive as null; that error is reported.
            if (settings is null || PolicyActionFactory.Create(name, settings, table.ShadowTargetOf, upstreams, issues) is not { } action)
            {
                table._rejected.Add(name);
                table.Failed = true;
                continue;
            }

            table.Built[name] = action;
        }

        return table;
    }

    /// <summary>What the <c>of</c> of a shadow action names (a declared shadow counts as one before it is built).</summary>
    private ShadowTarget ShadowTargetOf(string name)
    {
        if (_declared.GetValueOrDefault(name).Settings?.Type == ShadowAction.TypeName)
        {
            return new ShadowTarget(ShadowTargetKind.Shadow);
        }

        if (Built.TryGetValue(name, out var action))
        {
            return new ShadowTarget(ShadowTargetKind.Action, action);
        }

        return new ShadowTarget(_declared.ContainsKey(name) ? ShadowTargetKind.Rejected : ShadowTargetKind.Missing);
    }
}
