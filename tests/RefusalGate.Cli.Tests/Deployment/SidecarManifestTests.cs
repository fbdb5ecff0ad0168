using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Gateway.OutcomeLog;
using RefusalGate.Gateway.Policies.Loading;
using RefusalGate.Inference.Hosting;

namespace RefusalGate.Cli.Tests.Deployment;

/// <summary>deploy/kubernetes/sidecar-example.yaml against the gateway it configures.</summary>
public sealed class SidecarManifestTests : IDisposable
{
    private const string Origin = "sidecar-example.yaml";
    private readonly string _scratch = Directory.CreateTempSubdirectory("refusalgate-sidecar-").FullName;
    private readonly KubernetesManifest _manifest = new(ContainerChecks.SidecarPath);

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private GatewayContainer Gateway => _manifest.Container("refusalgate");

    /// <summary>The file <c>--config</c> names, taken from the ConfigMap mounted at its directory.</summary>
    private string ConfigFile()
    {
        var path = Gateway.Flags()["--config"];
        var mount = Gateway.MountHolding(path, directory: false).ShouldNotBeNull($"--config {path} is not in a mounted volume");
        var text = _manifest.ConfigMaps()[mount.ConfigMapName.ShouldNotBeNull()][Path.GetFileName(path)];
        var file = Path.Combine(_scratch, Path.GetFileName(path));
        File.WriteAllText(file, text);
        return file;
    }

    private IConfiguration Configuration() => ContainerChecks.WithEnvironment(new ConfigurationBuilder().AddYamlFile(ConfigFile()).Build(), Gateway);

    [Fact]
    public void Every_setting_binds_to_a_gateway_option() =>
        GatewaySettings.BindingErrors(Configuration(), Origin).ShouldBeEmpty();

    [Fact]
    public void Environment_variables_are_ones_the_gateway_reads() =>
        ContainerChecks.EnvironmentIsWhatTheGatewayReads(Gateway, Configuration(), Origin);

    [Fact]
    public void Flags_port_probes_and_scraping_match_the_gateway()
    {
        ContainerChecks.FlagsAreServeOptions(Gateway, Origin);
        ContainerChecks.ListensOnTheContainerPort(Gateway, Origin);
        ContainerChecks.ProbesAndScrapingMatchTheGateway(Gateway, Origin);
        ContainerChecks.RunsAsTheImageUser(Gateway, Origin);
    }

    [Fact]
    public void The_policy_configmap_is_hot_reloadable_and_loads()
    {
        var mount = ContainerChecks.PoliciesAreAHotReloadedConfigMap(Gateway, Origin);
        var files = _manifest.ConfigMaps()[mount.ConfigMapName!];
        var categories = PolicyTaxonomy.ReadCategoryIds(Path.Combine(ContainerChecks.Root, "policies", PolicyLoader.TaxonomyFileName));
        var upstreams = Configuration().GetSection("Gateway:Upstreams").GetChildren().Select(c => c.Key).ToList();

        var result = PolicyLoader.Load([.. files.Select(f => (f.Key, f.Value))], new PolicyLoadContext(categories, upstreams));

        result.Errors.Select(e => e.ToString()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Settings_reach_the_options_through_the_gateway_host()
    {
        // The container's REFUSALGATE_ variables enter as the environment source would put them (a Secret's as "from-secret").
        var settings = new GatewayHostSettings { ConfigFile = ConfigFile() };
        foreach (var (name, value) in Gateway.Environment)
        {
            if (GatewaySettings.KeyOfEnvironmentVariable(name) is { } key)
            {
                settings.Overrides[key] = value ?? "from-secret";
            }
        }

        await using var app = GatewayHost.CreateBuilder(settings).Build();

        app.Services.GetRequiredService<IOptions<OutcomeLogOptions>>().Value.PromptHashSalt.ShouldBe("from-secret");
        app.Services.GetRequiredService<IOptions<InferenceOptions>>().Value.IntraOpThreads.ShouldBe(1);
    }
}
