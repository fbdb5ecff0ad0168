using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace RefusalGate.Cli.Tests.Deployment;

/// <summary>
/// A plain Kubernetes manifest (several documents): its ConfigMaps and the gateway container of its Deployment, read
/// with YamlDotNet as the API server would read the YAML (no template language involved).
/// </summary>
internal sealed class KubernetesManifest
{
    private readonly List<YamlMappingNode> _documents;

    public KubernetesManifest(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            stream.Load(reader);
        }

        _documents = [.. stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>()];
    }

    /// <summary>ConfigMaps by name, each as its data (key → text).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ConfigMaps() =>
        _documents.Where(d => Text(d, "kind") == "ConfigMap").ToDictionary(
            d => Text(Map(d, "metadata"), "name")!,
            d => (IReadOnlyDictionary<string, string>)Map(d, "data").Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!));

    /// <summary>The container named <paramref name="name"/> of the (only) Deployment.</summary>
    public GatewayContainer Container(string name)
    {
        var deployment = _documents.Single(d => Text(d, "kind") == "Deployment");
        var pod = Map(Map(Map(deployment, "spec"), "template"), "spec");
        var annotations = Map(Map(Map(Map(deployment, "spec"), "template"), "metadata"), "annotations");
        var container = Seq(pod, "containers").OfType<YamlMappingNode>().Single(c => Text(c, "name") == name);
        var volumes = Seq(pod, "volumes").OfType<YamlMappingNode>().ToDictionary(v => Text(v, "name")!, v => Text(Map(v, "configMap"), "name"));
        var port = Seq(container, "ports").OfType<YamlMappingNode>().Single();
        var security = Map(container, "securityContext");
        return new GatewayContainer(
            Args: [.. Seq(container, "args").OfType<YamlScalarNode>().Select(a => a.Value!)],
            Environment: Seq(container, "env").OfType<YamlMappingNode>().ToDictionary(e => Text(e, "name")!, e => Text(e, "value")),
            ContainerPort: int.Parse(Text(port, "containerPort")!, CultureInfo.InvariantCulture),
            ContainerPortName: Text(port, "name"),
            Probes: new[] { "startupProbe", "readinessProbe", "livenessProbe" }
                .Where(p => container.Children.ContainsKey(p))
                .ToDictionary(p => p, p => new HttpProbe(Text(Map(Map(container, p), "httpGet"), "path")!, Text(Map(Map(container, p), "httpGet"), "port")!)),
            Mounts: [.. Seq(container, "volumeMounts").OfType<YamlMappingNode>().Select(m => new GatewayMount(Text(m, "mountPath")!, Text(m, "subPath"), volumes[Text(m, "name")!]))],
            PodAnnotations: annotations.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value!),
            RunAsUser: Text(security, "runAsUser") is { } user ? long.Parse(user, CultureInfo.InvariantCulture) : null,
            ReadOnlyRootFilesystem: Text(security, "readOnlyRootFilesystem") == "true");
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode map ? map : new YamlMappingNode();

    private static IEnumerable<YamlNode> Seq(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode sequence ? sequence.Children : [];

    private static string? Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlScalarNode scalar ? scalar.Value : null;
}
