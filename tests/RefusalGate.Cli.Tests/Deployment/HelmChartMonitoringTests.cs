using Newtonsoft.Json.Linq;
using NJsonSchema;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Gateway.Policies.Loading;

namespace RefusalGate.Cli.Tests.Deployment;

/// <summary>
/// The monitoring helm/refusalgate installs: the chart rendered without Helm (<see cref="HelmTemplate"/>) with each
/// monitoring value set, checked against the Service and the gateway it monitors, and the chart's copies of the shipped
/// rules and dashboard held to the files in deploy/.
/// </summary>
public sealed class HelmChartMonitoringTests
{
    private const string CopyCommand = "cp deploy/prometheus/refusalgate-rules.yaml deploy/grafana/refusalgate-dashboard.json helm/refusalgate/files/";

    private static readonly string RulesPath = Path.Combine(ContainerChecks.Root, "deploy", "prometheus", "refusalgate-rules.yaml");

    private static readonly string DashboardPath = Path.Combine(ContainerChecks.Root, "deploy", "grafana", "refusalgate-dashboard.json");

    private readonly HelmChart _chart = new(ContainerChecks.ChartDirectory);

    [Theory]
    [InlineData("files/refusalgate-rules.yaml", "deploy/prometheus/refusalgate-rules.yaml")]
    [InlineData("files/refusalgate-dashboard.json", "deploy/grafana/refusalgate-dashboard.json")]
    public void The_charts_copy_of_a_shipped_monitoring_file_is_byte_for_byte_the_one_in_deploy(string copy, string source)
    {
        // Helm reads nothing outside the chart directory, so the chart carries copies; deploy/ is the one to edit.
        var copied = Path.Combine(_chart.Directory, copy);
        File.Exists(copied).ShouldBeTrue($"helm/refusalgate/{copy} is missing; copy it into the chart: {CopyCommand}");
        File.ReadAllBytes(copied).SequenceEqual(File.ReadAllBytes(Path.Combine(ContainerChecks.Root, source)))
            .ShouldBeTrue($"helm/refusalgate/{copy} differs from {source} (edit {source}, then copy it into the chart: {CopyCommand})");
    }

    [Fact]
    public async Task By_default_the_chart_installs_no_monitoring_objects()
    {
        var chart = await RenderAsync("{}");

        chart.Names().ShouldBe(["ConfigMap/gate-refusalgate", "Deployment/gate-refusalgate", "Service/gate-refusalgate"]);
    }

    [Theory]
    [InlineData("serviceMonitor", "ServiceMonitor/gate-refusalgate")]
    [InlineData("prometheusRule", "PrometheusRule/gate-refusalgate")]
    [InlineData("grafanaDashboard", "ConfigMap/gate-refusalgate-dashboard")]
    public async Task Each_monitoring_object_is_installed_by_its_own_enabled_value_alone(string value, string installed)
    {
        var defaults = (await RenderAsync("{}")).Names();

        var chart = await RenderAsync(new JObject { ["metrics"] = new JObject { [value] = new JObject { ["enabled"] = true } } }.ToString());

        chart.Names().Except(defaults).ShouldBe([installed]);
    }

    [Fact]
    public async Task The_prometheus_rule_holds_the_rule_groups_of_the_shipped_rules_file_with_their_prometheus_templates_intact()
    {
        var rule = (await RenderAsync("""{"metrics": {"prometheusRule": {"enabled": true, "labels": {"release": "kube-prometheus-stack"}}}}""")).Single("PrometheusRule");
        var shipped = (JObject)YamlToJson.Read(RulesPath, File.ReadAllText(RulesPath), [])!;

        rule["apiVersion"]!.ToString().ShouldBe("monitoring.coreos.com/v1");
        ((JObject)rule["spec"]!).Properties().Select(p => p.Name).ShouldBe(["groups"]);
        JToken.DeepEquals(rule.SelectToken("spec.groups"), shipped["groups"]).ShouldBeTrue("spec.groups differs from the groups of deploy/prometheus/refusalgate-rules.yaml");
        // Expanded by Prometheus when an alert fires; Helm must have left them alone.
        rule.SelectTokens("spec.groups[*].rules[*].annotations.summary").Select(s => s.ToString()).ShouldContain(s => s.Contains("{{ $labels.instance }}"));
        Labels(rule)["release"].ShouldBe("kube-prometheus-stack", "the extra label a Prometheus' ruleSelector asks for");
        Labels(rule)["app.kubernetes.io/instance"].ShouldBe(HelmChart.ReleaseName, "the chart's own labels stay");
    }

    [Fact]
    public async Task The_service_monitor_scrapes_the_services_port_by_name_at_the_gateways_metrics_path()
    {
        var chart = await RenderAsync("""{"metrics": {"serviceMonitor": {"enabled": true, "interval": "30s", "scrapeTimeout": "10s", "labels": {"release": "kube-prometheus-stack"}}}}""");
        var monitor = chart.Single("ServiceMonitor");
        var service = chart.Single("Service");
        var endpoint = ((JArray)monitor.SelectToken("spec.endpoints")!).ShouldHaveSingleItem();

        endpoint["port"]!.ToString().ShouldBe(((JArray)service.SelectToken("spec.ports")!).ShouldHaveSingleItem()["name"]!.ToString());
        endpoint["path"]!.ToString().ShouldBe(GatewayApplicationExtensions.MetricsPath);
        endpoint["interval"]!.ToString().ShouldBe("30s");
        endpoint["scrapeTimeout"]!.ToString().ShouldBe("10s");
        var matchLabels = (JObject)monitor.SelectToken("spec.selector.matchLabels")!;
        matchLabels.Count.ShouldBeGreaterThan(0);
        foreach (var label in matchLabels.Properties())
        {
            Labels(service).GetValueOrDefault(label.Name).ShouldBe(label.Value.ToString(), $"the selector's {label.Name} must pick the chart's Service");
        }

        Labels(monitor)["release"].ShouldBe("kube-prometheus-stack", "the extra label a Prometheus' serviceMonitorSelector asks for");
    }

    [Fact]
    public async Task Without_an_interval_or_timeout_the_service_monitor_leaves_both_to_the_prometheus()
    {
        var monitor = (await RenderAsync("""{"metrics": {"serviceMonitor": {"enabled": true}}}""")).Single("ServiceMonitor");

        var endpoint = (JObject)monitor.SelectToken("spec.endpoints[0]")!;
        endpoint.Properties().Select(p => p.Name).ShouldBe(["port", "path"], ignoreOrder: true);
    }

    [Fact]
    public async Task With_a_service_monitor_the_pods_lose_their_scrape_annotations_so_no_replica_is_scraped_twice()
    {
        static IEnumerable<string> ScrapeAnnotations(RenderedChart chart) =>
            ((JObject)chart.Single("Deployment").SelectToken("spec.template.metadata.annotations")!).Properties()
                .Select(p => p.Name)
                .Where(name => name.StartsWith("prometheus.io/", StringComparison.Ordinal));

        var annotated = await RenderAsync("{}");
        var monitored = await RenderAsync("""{"metrics": {"serviceMonitor": {"enabled": true}}}""");

        ScrapeAnnotations(annotated).ShouldBe(["prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path"], ignoreOrder: true);
        ScrapeAnnotations(monitored).ShouldBeEmpty();
        ScrapeAnnotations(await RenderAsync("""{"metrics": {"podAnnotations": false}}""")).ShouldBeEmpty();
        annotated.Texts["NOTES.txt"].ShouldContain("prometheus.io/scrape annotations");
        monitored.Texts["NOTES.txt"].ShouldContain("Scraped through the ServiceMonitor gate-refusalgate");
    }

    [Fact]
    public async Task The_dashboard_config_map_holds_the_shipped_dashboard_under_the_grafana_sidecars_label()
    {
        var map = (await RenderAsync("""{"metrics": {"grafanaDashboard": {"enabled": true}}}""")).Single("ConfigMap", "gate-refusalgate-dashboard");

        var dashboard = map.SelectToken("data['refusalgate-dashboard.json']")!.ToString();
        dashboard.ShouldBe(File.ReadAllText(DashboardPath), "the ConfigMap must hold the dashboard file as it is");
        dashboard.ShouldContain("{{model}}", customMessage: "Grafana's legend templates, which Helm must have left alone");
        Labels(map)["grafana_dashboard"].ShouldBe("1");
        map.SelectToken("metadata.annotations").ShouldBeNull("no folder asked for");
        map.SelectToken("metadata.namespace").ShouldBeNull("the release's namespace");
    }

    [Fact]
    public async Task A_dashboard_folder_goes_into_the_annotation_the_sidecar_reads_by_default()
    {
        var map = (await RenderAsync("""{"metrics": {"grafanaDashboard": {"enabled": true, "folder": "LLM gateways"}}}""")).Single("ConfigMap", "gate-refusalgate-dashboard");

        ((JObject)map.SelectToken("metadata.annotations")!).Properties().Select(p => (p.Name, p.Value.ToString()))
            .ShouldBe([("k8s-sidecar-target-directory", "LLM gateways")]);
    }

    [Fact]
    public async Task The_dashboards_label_folder_and_namespace_follow_the_values()
    {
        var map = (await RenderAsync("""
            {"metrics": {"grafanaDashboard": {"enabled": true, "label": "dashboards.example.com/grafana", "labelValue": "refusalgate",
              "folder": "LLM gateways", "folderAnnotation": "grafana_folder", "namespace": "monitoring"}}}
            """)).Single("ConfigMap", "gate-refusalgate-dashboard");

        Labels(map)["dashboards.example.com/grafana"].ShouldBe("refusalgate");
        Labels(map).ShouldNotContainKey("grafana_dashboard");
        map.SelectToken("metadata.annotations.grafana_folder")!.ToString().ShouldBe("LLM gateways");
        map.SelectToken("metadata.namespace")!.ToString().ShouldBe("monitoring");
    }

    [Theory]
    [InlineData("""{"metrics": {"grafanaDashboard": {"labelValue": 1}}}""", "a label value must be a string")]
    [InlineData("""{"metrics": {"serviceMonitor": {"interval": "30 seconds"}}}""", "not a Prometheus duration")]
    [InlineData("""{"metrics": {"prometheusRule": {"labels": {"release": true}}}}""", "a label value must be a string")]
    public async Task The_schema_rejects_monitoring_values_kubernetes_or_prometheus_would_reject(string overrides, string why)
    {
        var schema = await JsonSchema.FromJsonAsync(_chart.Schema().ToString());

        schema.Validate(_chart.Values(JObject.Parse(overrides))).ShouldNotBeEmpty(why);
    }

    private static Dictionary<string, string> Labels(JObject manifest) =>
        ((JObject)manifest.SelectToken("metadata.labels")!).Properties().ToDictionary(p => p.Name, p => p.Value.ToString());

    /// <summary>The chart rendered with <paramref name="overrides"/> (JSON) over values.yaml, which the schema must accept.</summary>
    private async Task<RenderedChart> RenderAsync(string overrides)
    {
        var values = _chart.Values(JObject.Parse(overrides));
        var schema = await JsonSchema.FromJsonAsync(_chart.Schema().ToString());
        schema.Validate(values).Select(e => $"{e.Path}: {e.Kind}").ShouldBeEmpty("the values must satisfy values.schema.json");
        return _chart.Render(values);
    }
}
