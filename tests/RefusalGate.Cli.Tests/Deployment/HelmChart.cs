using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Newtonsoft.Json.Linq;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Policies.Loading;
using YamlDotNet.RepresentationModel;

namespace RefusalGate.Cli.Tests.Deployment;

/// <summary>
/// The Helm chart read without Helm (none is installed here): values.yaml and values.schema.json as data, the templates
/// as text from which the literal settings (flags, environment names, ports, probe paths, mounts) are taken, and the
/// chart rendered by <see cref="HelmTemplate"/> into the objects Helm would install.
/// </summary>
internal sealed partial class HelmChart(string directory)
{
    public const string ReleaseName = "gate";

    public const string ReleaseNamespace = "llm";

    public string Directory { get; } = directory;

    public string ValuesPath => Path.Combine(Directory, "values.yaml");

    public JObject Values() => (JObject)YamlToJson.Read(ValuesPath, File.ReadAllText(ValuesPath), [])!;

    /// <summary>values.yaml with <paramref name="overrides"/> merged in as <c>helm install -f</c> merges them (maps key by key, lists replaced).</summary>
    public JObject Values(JObject overrides)
    {
        var values = Values();
        values.Merge(overrides, new JsonMergeSettings { MergeArrayHandling = MergeArrayHandling.Replace, MergeNullValueHandling = MergeNullValueHandling.Merge });
        return values;
    }

    public JObject Schema() => JObject.Parse(File.ReadAllText(Path.Combine(Directory, "values.schema.json")));

    public IReadOnlyDictionary<string, string> Templates() =>
        System.IO.Directory.EnumerateFiles(Path.Combine(Directory, "templates"))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

    /// <summary>
    /// The chart rendered with <paramref name="values"/> as release <see cref="ReleaseName"/> in
    /// <see cref="ReleaseNamespace"/>: every template but the helpers, and the objects of those that are manifests.
    /// </summary>
    public RenderedChart Render(JObject values)
    {
        var chart = (JObject)YamlToJson.Read("Chart.yaml", File.ReadAllText(Path.Combine(Directory, "Chart.yaml")), [])!;
        var root = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Values"] = values,
            ["Release"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["Name"] = ReleaseName, ["Namespace"] = ReleaseNamespace, ["Service"] = "Helm" },
            ["Chart"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["Name"] = (string?)chart["name"],
                ["Version"] = (string?)chart["version"],
                ["AppVersion"] = (string?)chart["appVersion"],
            },
            ["Files"] = new ChartFiles(Directory),
        };
        var templates = Templates();
        var engine = new HelmTemplate(templates);
        var texts = templates.Keys.Where(name => !name.StartsWith('_')).ToDictionary(name => name, name => engine.Render(name, root));
        var objects = texts.Where(t => t.Key != "NOTES.txt").SelectMany(t => Manifests(t.Key, t.Value)).ToList();
        return new RenderedChart(texts, objects);
    }

    /// <summary>The objects of one rendered template: its YAML documents, empty ones (a disabled template) left out.</summary>
    private static IEnumerable<(string Template, JObject Object)> Manifests(string template, string text)
    {
        foreach (var document in DocumentSeparator().Split(text))
        {
            if (document.Split('\n').All(line => line.Trim() is "" or ['#', ..]))
            {
                continue;
            }

            var diagnostics = new List<PolicyDiagnostic>();
            var parsed = YamlToJson.Read(template, document, diagnostics);
            if (diagnostics.Count > 0)
            {
                throw new InvalidOperationException($"{template} renders invalid YAML: {string.Join("; ", diagnostics)}\n{document}");
            }

            if (parsed is not null)
            {
                yield return (template, parsed as JObject ?? throw new InvalidOperationException($"{template} renders a document that is no object:\n{document}"));
            }
        }
    }

    /// <summary><c>config</c> of values.yaml as the gateway reads it: rendered into gateway.yaml (as the chart's toYaml does) and loaded by the gateway's YAML provider.</summary>
    public IConfiguration GatewayConfiguration(string scratchDirectory)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(ValuesPath))
        {
            stream.Load(reader);
        }

        var config = ((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("config")];
        var path = Path.Combine(scratchDirectory, "gateway.yaml");
        using (var writer = File.CreateText(path))
        {
            new YamlStream(new YamlDocument(config)).Save(writer, assignAnchors: false);
        }

        return new ConfigurationBuilder().AddYamlFile(path).Build();
    }

    /// <summary>The gateway container as templates/deployment.yaml writes it, with every conditional part included.</summary>
    public GatewayContainer Container()
    {
        var template = Templates()["deployment.yaml"];
        var values = Values();
        var args = ArgsLine().Match(template).Groups[1].Value;
        var port = ContainerPort().Match(template);
        return new GatewayContainer(
            Args: [.. QuotedText().Matches(TemplateAction().Replace(args, "")).Select(m => m.Groups[1].Value)],
            Environment: EnvironmentName().Matches(template).ToDictionary(m => m.Groups[1].Value, _ => (string?)null),
            ContainerPort: int.Parse(port.Groups[2].Value, CultureInfo.InvariantCulture),
            ContainerPortName: port.Groups[1].Value,
            Probes: Probe().Matches(template).ToDictionary(m => m.Groups[1].Value, m => new HttpProbe(m.Groups[2].Value, m.Groups[3].Value)),
            Mounts: [.. Mount().Matches(template).Select(m => new GatewayMount(
                m.Groups[2].Value,
                m.Groups[3].Success ? m.Groups[3].Value : null,
                ConfigMapVolume().Matches(template).Any(v => v.Groups[1].Value == m.Groups[1].Value) ? m.Groups[1].Value : null))],
            PodAnnotations: Annotation().Matches(template).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value),
            RunAsUser: values.SelectToken("securityContext.runAsUser")?.Value<long>(),
            ReadOnlyRootFilesystem: values.SelectToken("securityContext.readOnlyRootFilesystem")?.Value<bool>() == true);
    }

    /// <summary>Every <c>.Values.a.b</c> path the templates use.</summary>
    public IReadOnlyList<(string Template, string Path)> ValuesReferences() =>
        [.. Templates().SelectMany(t => ValuesReference().Matches(t.Value).Select(m => (t.Key, m.Groups[1].Value))).Distinct()];

    [GeneratedRegex(@"^---\s*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();

    [GeneratedRegex(@"args:\s*\[(.*)\]")]
    private static partial Regex ArgsLine();

    [GeneratedRegex(@"\{\{.*?\}\}")]
    private static partial Regex TemplateAction();

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex QuotedText();

    [GeneratedRegex(@"-\s+name:\s+([A-Z][A-Za-z0-9_]*)\s*$", RegexOptions.Multiline)]
    private static partial Regex EnvironmentName();

    [GeneratedRegex(@"-\s+name:\s+(\w+)\s+containerPort:\s+(\d+)")]
    private static partial Regex ContainerPort();

    [GeneratedRegex(@"(\w+Probe):\s+httpGet:\s*\{path:\s*([^,\s]+),\s*port:\s*(\w+)\}")]
    private static partial Regex Probe();

    [GeneratedRegex(@"\{name:\s*([\w-]+),\s*mountPath:\s*([^,}\s]+)(?:,\s*subPath:\s*([^,}\s]+))?")]
    private static partial Regex Mount();

    [GeneratedRegex(@"-\s+name:\s+([\w-]+)\s+configMap:")]
    private static partial Regex ConfigMapVolume();

    [GeneratedRegex(@"^\s+(prometheus\.io/\w+):\s+""?([^""\s]+)""?\s*$", RegexOptions.Multiline)]
    private static partial Regex Annotation();

    [GeneratedRegex(@"\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    private static partial Regex ValuesReference();
}
