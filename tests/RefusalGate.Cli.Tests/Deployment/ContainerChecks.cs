using Microsoft.Extensions.Configuration;
using RefusalGate.Cli.Commands;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Health;
using RefusalGate.Gateway.Hosting;

namespace RefusalGate.Cli.Tests.Deployment;

/// <summary>The artefacts under test, and the checks the sidecar manifest and the Helm chart share.</summary>
internal static class ContainerChecks
{
    public static string Root { get; } = RepositoryPaths.Root();

    public static string SidecarPath { get; } = Path.Combine(Root, "deploy", "kubernetes", "sidecar-example.yaml");

    public static string ChartDirectory { get; } = Path.Combine(Root, "helm", "refusalgate");

    public static Dockerfile Image() => new(Path.Combine(Root, "deploy", "docker", "Dockerfile"));

    /// <summary>A file's configuration plus the environment's <c>REFUSALGATE_</c> settings (a Secret's value stands in as <c>from-secret</c>).</summary>
    public static IConfiguration WithEnvironment(IConfiguration file, GatewayContainer container) =>
        new ConfigurationBuilder()
            .AddConfiguration(file)
            .AddInMemoryCollection(container.Environment
                .Where(e => GatewaySettings.KeyOfEnvironmentVariable(e.Key) is not null)
                .Select(e => KeyValuePair.Create(GatewaySettings.KeyOfEnvironmentVariable(e.Key)!, (string?)(e.Value ?? "from-secret"))))
            .Build();

    /// <summary>Every <c>--flag</c> is one <c>refusalgate serve</c> accepts (the image's entrypoint is <c>serve</c>).</summary>
    public static void FlagsAreServeOptions(GatewayContainer container, string origin)
    {
        var known = ServeCommand.Create().Options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var flag in container.Flags().Keys)
        {
            known.ShouldContain(flag, $"{origin} passes {flag}, which `refusalgate serve` does not accept");
        }
    }

    /// <summary>The gateway listens (<c>--urls</c>) on the declared container port, on all interfaces so probes reach it.</summary>
    public static void ListensOnTheContainerPort(GatewayContainer container, string origin)
    {
        var urls = container.Flags().GetValueOrDefault("--urls") ?? Image().Environment["ASPNETCORE_URLS"];
        var listen = new Uri(urls.Split(';')[0]);
        listen.Port.ShouldBe(container.ContainerPort, $"{origin}: the gateway listens on {urls}");
        listen.Host.ShouldNotBe("127.0.0.1", $"{origin}: kubelet probes come to the pod IP, not loopback");
    }

    /// <summary>Probes hit the gateway's own health paths on its port; the pod is annotated for scraping /metrics there.</summary>
    public static void ProbesAndScrapingMatchTheGateway(GatewayContainer container, string origin)
    {
        container.Probes["readinessProbe"].Path.ShouldBe(HealthEndpoints.ReadinessPath, $"{origin}: readiness must wait for model warm-up");
        container.Probes["livenessProbe"].Path.ShouldBe(HealthEndpoints.LivenessPath, origin);
        container.Probes["startupProbe"].Path.ShouldBe(HealthEndpoints.LivenessPath, origin);
        foreach (var (name, probe) in container.Probes)
        {
            probe.Port.ShouldBeOneOf([container.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture), container.ContainerPortName], $"{origin}: {name} port");
        }

        container.PodAnnotations["prometheus.io/scrape"].ShouldBe("true", origin);
        container.PodAnnotations["prometheus.io/path"].ShouldBe(GatewayApplicationExtensions.MetricsPath, origin);
        container.PodAnnotations["prometheus.io/port"].ShouldBe(container.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture), origin);
    }

    /// <summary>
    /// Each environment variable is one the gateway reads: a <c>REFUSALGATE_</c> setting (bound separately), the models
    /// folder, the listen URLs, or an upstream's key named by <c>apiKeyEnvironmentVariable</c>; and each such key is set
    /// (the gateway refuses to start otherwise).
    /// </summary>
    public static void EnvironmentIsWhatTheGatewayReads(GatewayContainer container, IConfiguration configuration, string origin)
    {
        var upstreamKeys = (configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions()).Upstreams.Values
            .Select(u => u.ApiKeyEnvironmentVariable)
            .OfType<string>()
            .ToList();
        foreach (var name in container.Environment.Keys)
        {
            var read = GatewaySettings.KeyOfEnvironmentVariable(name) is not null
                || name == ModelLocations.EnvironmentVariable
                || name == "ASPNETCORE_URLS"
                || upstreamKeys.Contains(name);
            read.ShouldBeTrue($"{origin} sets {name}, which the gateway never reads (the prefix is {GatewayHost.EnvironmentPrefix}, levels are separated by __)");
        }

        foreach (var key in upstreamKeys)
        {
            container.Environment.Keys.ShouldContain(key, $"{origin}: an upstream's apiKeyEnvironmentVariable names {key}, which the container does not set");
        }
    }

    /// <summary>The policy directory (<c>--policies</c>) is a whole ConfigMap mounted without subPath, so that updates reach it.</summary>
    public static GatewayMount PoliciesAreAHotReloadedConfigMap(GatewayContainer container, string origin)
    {
        var directory = container.Flags()["--policies"];
        var mount = container.MountHolding(directory, directory: true).ShouldNotBeNull($"{origin}: --policies {directory} is not a mount");
        mount.SubPath.ShouldBeNull($"{origin}: a subPath mount never sees ConfigMap updates");
        mount.ConfigMapName.ShouldNotBeNull(origin);
        return mount;
    }

    /// <summary>A read-only root filesystem needs a writable /tmp; the user is the image's.</summary>
    public static void RunsAsTheImageUser(GatewayContainer container, string origin)
    {
        var user = Image().FinalStage.Last(i => i.Keyword == "USER").Arguments[0].Split(':')[0];
        container.RunAsUser.ShouldBe(long.Parse(user, System.Globalization.CultureInfo.InvariantCulture), origin);
        container.ReadOnlyRootFilesystem.ShouldBeTrue(origin);
        container.Mounts.ShouldContain(m => m.MountPath == "/tmp", $"{origin}: /tmp must be writable");
    }
}
