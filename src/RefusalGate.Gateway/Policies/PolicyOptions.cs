namespace RefusalGate.Gateway.Policies;

/// <summary>Where the policy files are and how changes are picked up (section <c>Policies</c>).</summary>
public sealed class PolicyOptions
{
    public const string SectionName = "Policies";

    /// <summary>When false the policy stage does not run: requests are classified and annotated, then forwarded.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The directory of policy files (<c>serve --policies DIR</c>); by default the <c>policies</c> folder beside
    /// <c>onnx-models</c>. Without one the built-in defaults apply (README, "Policies and the self-prediction cascade").
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>Watch the directory and reload on change (also catches a Kubernetes ConfigMap's symlink swap).</summary>
    public bool Watch { get; set; } = true;

    /// <summary>Quiet time after the last change before reloading, so an editor's or ConfigMap's multi-step write is read whole.</summary>
    public TimeSpan ReloadDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Also re-read the files this often, in case the file system's change events are lost (network and overlay mounts).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);
}
