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
/// as text from which the literal settings (flags, environment names, ports, probe paths, mounts) are taken.
/// </summary>
internal sealed partial class HelmChart(string directory)
{
    public string Directory { get; } = directory;

    public string ValuesPath => Path.Combine(Directory, "values.yaml");

    public JObject Values() => (JObject)YamlToJson.Read(ValuesPath, File.ReadAllText(ValuesPath), [])!;

    public JObject Schema() => JObject.Parse(File.ReadAllText(Path.Combine(Directory, "values.schema.json")));

    public IReadOnlyDictionary<string, string> Templates() =>
        System.IO.Directory.EnumerateFiles(Path.Combine(Directory, "templates"))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

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
