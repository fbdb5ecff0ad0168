using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using NJsonSchema;

namespace RefusalGate.Cli.Tests.Deployment;

/// <summary>
/// helm/refusalgate checked without Helm: values against their schema and the gateway's options, the templates' literal
/// settings against the gateway, and the templates' own consistency (balanced actions, only values that exist).
/// </summary>
public sealed partial class HelmChartTests : IDisposable
{
    private const string Origin = "helm/refusalgate";
    private readonly string _scratch = Directory.CreateTempSubdirectory("refusalgate-chart-").FullName;
    private readonly HelmChart _chart = new(ContainerChecks.ChartDirectory);

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void Config_and_environment_bind_to_gateway_options()
    {
        var gateway = _chart.Container();
        var configuration = ContainerChecks.WithEnvironment(_chart.GatewayConfiguration(_scratch), gateway);

        GatewaySettings.BindingErrors(configuration, Origin).ShouldBeEmpty();
        ContainerChecks.EnvironmentIsWhatTheGatewayReads(gateway, configuration, Origin);
    }

    [Fact]
    public void Flags_port_probes_and_scraping_match_the_gateway()
    {
        var gateway = _chart.Container();

        ContainerChecks.FlagsAreServeOptions(gateway, Origin);
        ContainerChecks.ListensOnTheContainerPort(gateway, Origin);
        ContainerChecks.ProbesAndScrapingMatchTheGateway(gateway, Origin);
        ContainerChecks.PoliciesAreAHotReloadedConfigMap(gateway, Origin);
        ContainerChecks.RunsAsTheImageUser(gateway, Origin);
        _chart.Templates()["service.yaml"].ShouldContain($"targetPort: {gateway.ContainerPortName}");
    }

    [Fact]
    public void Rendered_with_policies_and_secrets_the_chart_installs_a_gateway_container_that_passes_the_sidecars_checks()
    {
        // The same checks as above, on what Helm would install rather than on the template's text (HelmTemplate renders it).
        var values = _chart.Values(JObject.Parse("""
            {"policies": {"default.yaml": "version: 1\n"}, "apiKeySecret": "provider-keys",
             "promptHashSalt": {"existingSecret": "salts"}, "extraEnv": [{"name": "REFUSALGATE_Inference__IntraOpThreads", "value": "1"}]}
            """));
        var manifest = Path.Combine(_scratch, "rendered.yaml");
        File.WriteAllText(manifest, _chart.Render(values).Manifest());
        var rendered = new KubernetesManifest(manifest);
        var gateway = rendered.Container("refusalgate");

        ContainerChecks.FlagsAreServeOptions(gateway, Origin);
        ContainerChecks.ListensOnTheContainerPort(gateway, Origin);
        ContainerChecks.ProbesAndScrapingMatchTheGateway(gateway, Origin);
        ContainerChecks.RunsAsTheImageUser(gateway, Origin);
        var policies = ContainerChecks.PoliciesAreAHotReloadedConfigMap(gateway, Origin);
        rendered.ConfigMaps()[policies.ConfigMapName!].Keys.ShouldBe(["default.yaml"]);
        gateway.Environment.Keys.ShouldBe(["REFUSALGATE_OutcomeLog__PromptHashSalt", "REFUSALGATE_Inference__IntraOpThreads"]);
    }

    [Fact]
    public async Task Values_satisfy_the_schema()
    {
        var schema = await JsonSchema.FromJsonAsync(_chart.Schema().ToString());

        schema.Validate(_chart.Values()).Select(e => $"{e.Path}: {e.Kind}").ShouldBeEmpty();
    }

    [Fact]
    public async Task The_schema_takes_a_pass_through_list_and_refuses_a_malformed_entry()
    {
        var schema = await JsonSchema.FromJsonAsync(_chart.Schema().ToString());
        var production = _chart.Values(JObject.Parse("""
            {"config": {"gateway": {"passThrough": {"allow": ["GET /v1/models", "GET /v1/models/*", "POST /v1/embeddings", "OPTIONS /v1/**"]}}}}
            """));
        var malformed = _chart.Values(JObject.Parse("""{"config": {"gateway": {"passThrough": {"allow": ["GET /v1/models", "GET models"], "denny": []}}}}"""));

        schema.Validate(production).ShouldBeEmpty();
        schema.Validate(malformed).Select(e => e.Path).ShouldBe(["#/config.gateway.passThrough.allow[1]", "#/config.gateway.passThrough.denny"], ignoreOrder: true);
    }

    [Fact]
    public void Every_value_has_a_schema_entry()
    {
        var properties = (JObject)_chart.Schema()["properties"]!;

        _chart.Values().Properties().Select(p => p.Name).Where(name => properties[name] is null).ShouldBeEmpty();
    }

    [Fact]
    public void Templates_use_only_values_that_exist_in_values_and_schema()
    {
        var values = _chart.Values();
        var schema = _chart.Schema();
        var missing = new List<string>();
        foreach (var (template, path) in _chart.ValuesReferences())
        {
            JToken? value = values;
            JToken? entry = schema;
            foreach (var name in path.TrimStart('.').Split('.'))
            {
                value = (value as JObject)?[name];
                entry = entry?["properties"]?[name];
            }

            if (value is null)
            {
                missing.Add($"{template}: .Values{path} is not in values.yaml");
            }

            if (entry is null)
            {
                missing.Add($"{template}: .Values{path} is not in values.schema.json");
            }
        }

        missing.ShouldBeEmpty();
    }

    [Fact]
    public void Template_actions_are_balanced()
    {
        foreach (var (name, text) in _chart.Templates())
        {
            var depth = 0;
            foreach (Match delimiter in Delimiter().Matches(text))
            {
                depth += delimiter.Value == "{{" ? 1 : -1;
                depth.ShouldBeInRange(0, 1, $"{name}: '{{{{' and '}}}}' nest or close before opening at offset {delimiter.Index}");
            }

            depth.ShouldBe(0, $"{name}: an unclosed '{{{{'");
            BlockStart().Count(text).ShouldBe(BlockEnd().Count(text), $"{name}: if/with/range/define without a matching end");
        }
    }

    [GeneratedRegex(@"\{\{|\}\}")]
    private static partial Regex Delimiter();

    [GeneratedRegex(@"\{\{-?\s*(if|with|range|define)\b")]
    private static partial Regex BlockStart();

    [GeneratedRegex(@"\{\{-?\s*end\b")]
    private static partial Regex BlockEnd();
}
