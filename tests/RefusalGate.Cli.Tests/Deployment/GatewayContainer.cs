namespace RefusalGate.Cli.Tests.Deployment;

/// <summary>An HTTP probe of the gateway container: its path and its port (a number or a port name).</summary>
internal sealed record HttpProbe(string Path, string Port);

/// <summary>A volume mounted into the gateway container, and the ConfigMap behind it when it is one.</summary>
internal sealed record GatewayMount(string MountPath, string? SubPath, string? ConfigMapName);

/// <summary>
/// What a deployment artefact (the sidecar manifest or the Helm chart) tells the gateway container: the flags after the
/// image's <c>refusalgate serve</c>, environment variables (literal value, or null when it comes from a Secret), the
/// port, probes, mounts, the pod's Prometheus annotations and the user it runs as.
/// </summary>
internal sealed record GatewayContainer(
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string?> Environment,
    int ContainerPort,
    string? ContainerPortName,
    IReadOnlyDictionary<string, HttpProbe> Probes,
    IReadOnlyList<GatewayMount> Mounts,
    IReadOnlyDictionary<string, string> PodAnnotations,
    long? RunAsUser,
    bool ReadOnlyRootFilesystem)
{
    /// <summary>Each <c>--flag</c> with the value after it.</summary>
    public IReadOnlyDictionary<string, string> Flags()
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < Args.Count; i++)
        {
            if (Args[i].StartsWith("--", StringComparison.Ordinal))
            {
                flags[Args[i]] = i + 1 < Args.Count && !Args[i + 1].StartsWith("--", StringComparison.Ordinal) ? Args[i + 1] : "";
            }
        }

        return flags;
    }

    /// <summary>The mount whose path is <paramref name="path"/>'s directory or the path itself.</summary>
    public GatewayMount? MountHolding(string path, bool directory) =>
        Mounts.FirstOrDefault(m => m.MountPath.TrimEnd('/') == (directory ? path.TrimEnd('/') : Path.GetDirectoryName(path)));
}
