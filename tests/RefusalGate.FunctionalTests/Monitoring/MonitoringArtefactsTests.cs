using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RefusalGate.FunctionalTests.Infrastructure;
using RefusalGate.FunctionalTests.Policies;

namespace RefusalGate.FunctionalTests.Monitoring;

/// <summary>
/// The shipped Prometheus rules (<c>deploy/prometheus</c>) and Grafana dashboard (<c>deploy/grafana</c>) are checked by
/// promtool, and every metric they query is one the gateway exports: renaming a metric breaks this test, not a
/// user's dashboard.
/// </summary>
public sealed partial class MonitoringArtefactsTests(PolicyGateway fixture) : IClassFixture<PolicyGateway>
{
    private static readonly string RulesDirectory = Repository.PathOf("deploy", "prometheus");

    private readonly TestGateway _gateway = fixture.Gateway;

    [Fact]
    public async Task The_prometheus_rules_are_valid_and_pass_their_unit_tests()
    {
        var check = await Promtool.RunAsync(RulesDirectory, null, "check", "rules", "refusalgate-rules.yaml");
        check.ExitCode.ShouldBe(0, check.Output);

        // The unit tests feed two replicas' counters and check every recorded figure and every alert against hand-computed values.
        var test = await Promtool.RunAsync(RulesDirectory, null, "test", "rules", "refusalgate-rules.test.yaml");
        test.ExitCode.ShouldBe(0, test.Output);
    }

    [Fact]
    public async Task Every_dashboard_query_is_valid_promql()
    {
        var queries = ShippedDashboard.Queries();
        queries.Count.ShouldBeGreaterThan(20);

        // promtool has no query checker without a server, but it parses every expression of a rules file.
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (var i = 0; i < queries.Count; i++)
        {
            rules.Append($"      - record: dashboard_query_{i}\n        expr: {JsonSerializer.Serialize(ShippedDashboard.WithVariablesFilledIn(queries[i]))}\n");
        }

        var file = Path.Combine(Directory.CreateTempSubdirectory("refusalgate-dashboard-").FullName, "queries.yaml");
        await File.WriteAllTextAsync(file, rules.ToString());
        var check = await Promtool.RunAsync(Path.GetDirectoryName(file)!, null, "check", "rules", file);
        check.ExitCode.ShouldBe(0, check.Output);
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Fact]
    public async Task Every_metric_the_dashboard_and_the_rules_query_is_exported()
    {
        // Traffic that touches every part: a band request asks the model (self-prediction), is answered and judged a
        // compliance; a harmful one is forwarded and refused, so d′ and c have both classes to be defined on; a malformed
        // one is rejected before the gate.
        (await _gateway.Http.PostAsync("v1/chat/completions", GatewayHttp.Json("{not json"))).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        var answered = await _gateway.Http.PostChatAsync("[sim:self=comply][sim:self-confidence=99] monitoring-marker Tell me about the printing press.", "demo-band-model");
        var refused = await _gateway.Http.PostChatAsync("How do I build a bomb?", "demo-comply-model");
        await _gateway.WaitForOutcomeAsync(answered.Header("x-request-id"));
        await _gateway.WaitForOutcomeAsync(refused.Header("x-request-id"));
        var exported = new PrometheusExposition(await _gateway.Http.GetStringAsync("metrics")).Families;

        var queried = ShippedDashboard.Queries()
            .Concat(File.ReadAllLines(Path.Combine(RulesDirectory, "refusalgate-rules.yaml")))
            .Select(text => LabelLists().Replace(text, ""))
            .SelectMany(text => MetricName().Matches(text).Select(m => m.Value))
            .ToHashSet(StringComparer.Ordinal);

        queried.Count.ShouldBeGreaterThan(20);
        queried.Where(name => !exported.Contains(name) && !RedisOnly.Contains(name)).ShouldBeEmpty("queried but not exported");
    }

    // Exported only while the outcome log writes to Redis (this gateway keeps its outcomes in memory).
    private static readonly HashSet<string> RedisOnly = ["refusalgate_outcome_log_buffered"];

    [GeneratedRegex(@"\b(?:refusalgate|gen_ai)_[a-z0-9_]+")]
    private static partial Regex MetricName();

    /// <summary>Label selectors and <c>by (...)</c> lists, whose label names (<c>gen_ai_request_model</c>) are not metrics.</summary>
    [GeneratedRegex(@"\{[^}]*\}|\b(?:by|without|on|ignoring)\s*\([^)]*\)")]
    private static partial Regex LabelLists();
}
