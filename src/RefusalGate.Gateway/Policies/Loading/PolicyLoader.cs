using System.Collections.Frozen;
using Newtonsoft.Json.Linq;
using RefusalGate.Gateway.Policies.Model;
using RefusalGate.Gateway.Policies.Tenancy;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>What the loader checks names against; null members skip that check (e.g. <c>policy check</c> without a gateway configuration).</summary>
public sealed record PolicyLoadContext(IReadOnlyCollection<string>? Categories, IReadOnlyCollection<string>? Upstreams);

/// <summary>A loaded set, or every error found (never both), and a hash of the files' names and contents as read.</summary>
public sealed record PolicyLoadResult(PolicySet? Policies, IReadOnlyList<PolicyDiagnostic> Errors, IReadOnlyList<string> Files, string Fingerprint = "")
{
    public bool Succeeded => Policies is not null;
}

/// <summary>
/// Loads policy files: YAML → JSON tokens with positions, the JSON schema, then the checks a schema cannot express
/// (references between actions, categories and upstreams that exist, threshold order, one default per set). Every error
/// is reported with file, line and column; nothing is thrown for bad input.
/// </summary>
public static class PolicyLoader
{
    /// <summary>The taxonomy file that lives beside the policies; it names categories and is not itself a policy.</summary>
    public const string TaxonomyFileName = "categories.yaml";

    /// <summary>
    /// Policy files in a directory: every entry at its top level named <c>*.yaml</c>/<c>*.yml</c>, except the taxonomy and
    /// hidden entries (a ConfigMap's <c>..data</c>). Entries that are not regular files are listed too, so that reading
    /// reports them (<see cref="PolicyFileReader"/>) rather than the directory silently meaning something else.
    /// </summary>
    public static IReadOnlyList<string> PolicyFiles(string directory) =>
        [.. Directory.EnumerateFileSystemEntries(directory)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Where(f => !Path.GetFileName(f).StartsWith('.') && !Path.GetFileName(f).Equals(TaxonomyFileName, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)];

    public static PolicyLoadResult LoadDirectory(string directory, PolicyLoadContext context)
    {
        IReadOnlyList<string> files;
        try
        {
            files = PolicyFiles(directory);
        }
        catch (DirectoryNotFoundException)
        {
            return new PolicyLoadResult(null, [new PolicyDiagnostic(directory, 0, 0, "The policy directory does not exist.")], []);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new PolicyLoadResult(null, [new PolicyDiagnostic(directory, 0, 0, $"Cannot list the policy directory: {ex.Message}")], []);
        }

        return LoadFiles(files, context);
    }

    public static PolicyLoadResult LoadFiles(IReadOnlyList<string> files, PolicyLoadContext context)
    {
        var sources = new List<(string File, string Text)>();
        var errors = new List<PolicyDiagnostic>();
        foreach (var file in files)
        {
            if (PolicyFileReader.Read(file, errors) is { } text)
            {
                sources.Add((file, text));
            }
        }

        var result = Load(sources, context);
        return errors.Count == 0 ? result : result with { Policies = null, Errors = [.. errors, .. result.Errors] };
    }

    /// <summary>Loads policy sources given as text (file names are used in diagnostics only).</summary>
    public static PolicyLoadResult Load(IReadOnlyList<(string File, string Text)> sources, PolicyLoadContext context)
    {
        var errors = new List<PolicyDiagnostic>();
        var documents = new List<(PolicyDocument Document, PolicyIssues Issues)>();
        var thresholdsKnown = true;
        foreach (var (file, text) in sources)
        {
            if (YamlToJson.Read(file, text, errors) is not { } root)
            {
                continue;
            }

            // Even with schema errors, read what can be read so the checks after the schema report their errors in the
            // same run; what the schema rejected is left out of that reading, so it is not reported again as a consequence.
            List<SchemaFinding> findings = [.. PolicySchema.Validate(file, root, errors), .. PolicyKeyNames.Validate(file, root, errors)];
            thresholdsKnown &= !findings.Any(ShapesThresholds);
            var rejected = findings.Where(f => f.Kind == SchemaFindingKind.RejectedValue).Select(f => f.Token).OfType<JToken>().ToList();
            var rejectedKeys = findings.Where(f => f.Kind == SchemaFindingKind.RejectedKey).Select(f => f.Token).OfType<JProperty>().ToList();
            if (PolicyDocumentBinder.Bind(file, root, rejected, rejectedKeys, errors) is { } document)
            {
                documents.Add((document, new PolicyIssues(file, root, errors)));
            }
        }

        var files = sources.Select(s => s.File).ToList();
        var set = Compile(documents, context, errors, thresholdsKnown);
        var fingerprint = Fingerprint(sources);
        return errors.Count == 0 && set is not null
            ? new PolicyLoadResult(set, [], files, fingerprint)
            : new PolicyLoadResult(null, InReadingOrder(errors, files), files, fingerprint);
    }

    /// <summary>As a compiler lists them: file by file in the order given, then by line and column.</summary>
    private static List<PolicyDiagnostic> InReadingOrder(List<PolicyDiagnostic> errors, List<string> files) =>
        [.. errors.OrderBy(e => files.IndexOf(e.File) is var i and >= 0 ? i : files.Count).ThenBy(e => e.Line).ThenBy(e => e.Column)];

    /// <summary>
    /// Whether a schema error is where thresholds or an override's reach are written (under <c>thresholds</c> or
    /// <c>match</c>, or an override, a policy or a category entry as a whole). Thresholds merged across layers are then
    /// not known as meant, and an inversion found in them could be a consequence of that error: the cross-layer check
    /// waits for the next run. Errors elsewhere (actions, tenants, self-prediction, ...) leave it running.
    /// </summary>
    private static bool ShapesThresholds(SchemaFinding finding)
    {
        if (finding.Kind == SchemaFindingKind.UnknownKey)
        {
            return false; // An unknown key is ignored when the file is read.
        }

        var names = new List<string>();
        if (finding.Kind == SchemaFindingKind.MissingKey && finding.Property is { } missing)
        {
            names.Add(missing);
        }

        for (var token = finding.Token; token is not null; token = token.Parent)
        {
            if (token is JProperty property)
            {
                names.Add(property.Name);
            }
        }

        return !names.Any(n => n is "actions" or "tenants" or "selfPrediction" or "fusion" or "failMode" or "unreadContent" or "failAction" or "version" or "name");
    }

    /// <summary>Lets a reloader tell a real change from a touch or a watcher's duplicate event.</summary>
    private static string Fingerprint(IReadOnlyList<(string File, string Text)> sources)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var (file, text) in sources)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(file + "\0" + text + "\0"));
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static PolicySet? Compile(List<(PolicyDocument Document, PolicyIssues Issues)> documents, PolicyLoadContext context, List<PolicyDiagnostic> errors, bool thresholdsKnown)
    {
        var actions = ActionTable.Build(documents, context.Upstreams);
        PolicyLayerDocument? defaultLayer = null;
        PolicyIssues? defaultIssues = null;
        TenantsDocument? tenants = null;
        PolicyIssues? tenantsIssues = null;
        var overrides = new List<PolicyOverride>();
        var overridePlaces = new List<(PolicyIssues Issues, int Index)>();
        var sources = new Dictionary<PolicyLayerDocument, LayerSource>(ReferenceEqualityComparer.Instance);
        var tenantMatches = new List<(PolicyOverride Override, PolicyIssues Issues, int Index)>();
        foreach (var (document, issues) in documents)
        {
            if (document.Policy is not null)
            {
                if (defaultIssues is not null)
                {
                    issues.At($"A default policy is already set in {defaultIssues.LocationOf("policy")}; a policy directory has exactly one 'policy'.", "policy");
                }
                else
                {
                    (defaultLayer, defaultIssues) = (document.Policy, issues);
                    sources[document.Policy] = new LayerSource("the default policy", issues, ["policy"]);
                }

                CheckLayer(document.Policy, ["policy"], actions, context, issues);
            }

            if (document.Tenants is not null)
            {
                if (tenantsIssues is not null)
                {
                    issues.At($"'tenants' is already configured in {tenantsIssues.LocationOf("tenants")}; a policy directory has one 'tenants' section.", "tenants");
                }
                else
                {
                    (tenants, tenantsIssues) = (document.Tenants, issues);
                }
            }

            for (var i = 0; i < (document.Overrides?.Count ?? 0); i++)
            {
                if (document.Overrides![i] is not { } entry)
                {
                    continue; // Not a mapping: the schema has said so.
                }

                var name = entry.Name ?? $"{Path.GetFileName(issues.File)}#{i + 1}";
                CheckLayer(entry.Policy, ["overrides", i, "policy"], actions, context, issues);
                if (entry.Match is not { } match)
                {
                    continue; // Missing or rejected (reported): what it applies to is unknown; its own rules are checked above.
                }

                if (match.Upstream is { } upstream && context.Upstreams is { } known && !known.Contains(upstream, StringComparer.OrdinalIgnoreCase))
                {
                    issues.AtValue($"Override '{name}' matches upstream '{upstream}', which is not configured (known: {string.Join(", ", known)}).", "overrides", i, "match", "upstream");
                }

                overrides.Add(new PolicyOverride(name, match.Tenant, match.Upstream, match.Model, entry.Policy));
                overridePlaces.Add((issues, i));
                sources[entry.Policy] = new LayerSource($"override '{name}'", issues, ["overrides", i, "policy"]);
                if (match.Tenant is not null)
                {
                    tenantMatches.Add((overrides[^1], issues, i));
                }
            }
        }

        var tenantResolver = Tenants(tenants, overrides);
        CheckTenantsRecognised(tenantMatches, tenantResolver, configured: tenants is not null);

        if (overrides.Count > PolicySet.MaxOverrides)
        {
            var (issues, index) = overridePlaces[PolicySet.MaxOverrides];
            issues.At($"{overrides.Count} overrides; at most {PolicySet.MaxOverrides} are supported across a policy directory.", "overrides", index);
        }

        var set = new PolicySet(
            defaultLayer ?? new PolicyLayerDocument(),
            overrides,
            context.Categories ?? [],
            actions.Built.ToFrozenDictionary(StringComparer.Ordinal),
            tenantResolver,
            [.. documents.Select(d => d.Issues.File)]);

        // Run whatever else was found: an unknown action or category elsewhere must not hide an inversion.
        if (thresholdsKnown && overrides.Count <= PolicySet.MaxOverrides)
        {
            ThresholdOrderCheck.Run(set, sources, context.Upstreams, errors);
        }

        return errors.Count == 0 && !actions.Failed ? set : null;
    }

    /// <summary>References and names a schema cannot check: actions exist, categories exist, thresholds in order.</summary>
    private static void CheckLayer(PolicyLayerDocument layer, object[] path, ActionTable actions, PolicyLoadContext context, PolicyIssues issues)
    {
        CheckAction(layer.FailAction, [.. path, "failAction"]);
        CheckZones(layer.Actions, [.. path, "actions"]);
        CheckThresholds(layer.Thresholds, [.. path, "thresholds"]);
        foreach (var (category, own) in layer.Categories ?? [])
        {
            object[] at = [.. path, "categories", category];
            if (category != PolicyLayers.FallbackCategory && context.Categories is { } known && !known.Contains(category, StringComparer.Ordinal))
            {
                issues.At($"Unknown category '{category}' (the taxonomy has: {string.Join(", ", known)}; '{PolicyLayers.FallbackCategory}' means any other).", at);
            }

            CheckZones(own?.Actions, [.. at, "actions"]);
            CheckThresholds(own?.Thresholds, [.. at, "thresholds"]);
        }

        void CheckZones(ZoneActionsDocument? zones, object[] at)
        {
            CheckAction(zones?.Refuse, [.. at, "refuse"]);
            CheckAction(zones?.Uncertain, [.. at, "uncertain"]);
            CheckAction(zones?.Comply, [.. at, "comply"]);
        }

        void CheckAction(string? name, object[] at)
        {
            // A declared action that was rejected has its own error; naming it is not a second mistake.
            if (name is not null && !actions.IsDeclared(name))
            {
                issues.AtValue($"Unknown action '{name}' (defined: {string.Join(", ", actions.Names)}).", at);
            }
        }

        void CheckThresholds(ThresholdsDocument? thresholds, object[] at)
        {
            // Reported at the comply value: the band's lower bound is the one above where it may be.
            if (thresholds is { Refuse: { } refuse, Comply: { } comply } && comply > refuse)
            {
                issues.AtValue($"The comply threshold ({comply}) is above the refuse threshold ({refuse}); comply must be ≤ refuse.", [.. at, "comply"]);
            }
        }
    }

    /// <summary>
    /// An override for a tenant no request can be recognised as never applies: the rules the operator wrote for that
    /// tenant would silently not be enforced. Rejected like an override for an upstream that is not configured.
    /// </summary>
    private static void CheckTenantsRecognised(List<(PolicyOverride Override, PolicyIssues Issues, int Index)> tenantMatches, TenantResolver tenants, bool configured)
    {
        foreach (var (entry, issues, index) in tenantMatches)
        {
            if (!tenants.CanRecognise(entry.Tenant!))
            {
                var why = configured
                    ? $"no tenants.header is set and no 'tenants.apiKeys' entry maps to '{entry.Tenant}'"
                    : "there is no 'tenants' section (tenants.header or tenants.apiKeys), so no request has a tenant";
                issues.AtValue($"Override '{entry.Name}' matches tenant '{entry.Tenant}', but {why}: the override would never apply.", "overrides", index, "match", "tenant");
            }
        }
    }

    private static TenantResolver Tenants(TenantsDocument? tenants, List<PolicyOverride> overrides) => new(
        tenants?.Header,
        (tenants?.ApiKeys ?? []).OfType<TenantKeyDocument>().GroupBy(k => k.Sha256.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.First().Tenant),
        overrides.Select(o => o.Tenant).OfType<string>());
}
