using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests.Monitoring;

/// <summary>
/// The shipped scrape-health alerts in a real Prometheus that scrapes two gateways and a dead target and loads
/// <c>deploy/prometheus/refusalgate-rules.yaml</c> as it is. promtool's unit test feeds made-up series; this one checks
/// what that test takes on trust: that <c>up</c> and the gateway's own series carry the same target labels, so the rules
/// tell a gateway from any other target without naming a job. Their <c>for:</c> (minutes) is not waited for: an alert
/// Prometheus holds pending is one whose expression holds.
/// </summary>
public sealed class ScrapeHealthAlertTests
{
    private const string Alerts = "ALERTS{alertname=~\"RefusalGateTargetDown|RefusalGateMetricsAbsent\"}";

    private static readonly string Rules = Repository.PathOf("deploy", "prometheus", "refusalgate-rules.yaml");

    [Fact]
    public async Task A_stopped_gateway_raises_target_down_for_itself_alone_and_the_last_one_stopped_raises_metrics_absent()
    {
        await using var gateways = new Gateways();
        var kept = await gateways.StartAsync();
        var stopped = await gateways.StartAsync();
        // Nothing listens here: a target that is down and never was a gateway, like another exporter in the same job.
        var neverAGateway = new Uri($"http://127.0.0.1:{PrometheusServer.FreePort()}");
        await using var prometheus = await PrometheusServer.StartAsync([kept.BaseAddress, stopped.BaseAddress, neverAGateway], Rules);

        (await prometheus.QueryUntilAsync("refusalgate_onnx_execution_provider", r => r.Count == 2)).Count.ShouldBe(2, "both gateways scraped");
        (await prometheus.QueryUntilAsync("up == 0", r => r.Count > 0)).Select(s => s.Labels["instance"]).ShouldBe([neverAGateway.Authority]);
        (await prometheus.QueryUntilAsync(Alerts, r => r.Count == 0)).ShouldBeEmpty("every gateway is up (the dead target is no gateway)");

        await gateways.StopAsync(stopped);
        var oneDown = await prometheus.QueryUntilAsync(Alerts, r => r.Count > 0);

        Described(oneDown).ShouldBe([("RefusalGateTargetDown", stopped.BaseAddress.Authority, "pending", "warning")]);

        await gateways.StopAsync(kept);
        var allDown = await prometheus.QueryUntilAsync(Alerts, r => r.Count == 3);

        Described(allDown).ShouldBe(
            [
                ("RefusalGateMetricsAbsent", null, "pending", "critical"),
                ("RefusalGateTargetDown", kept.BaseAddress.Authority, "pending", "warning"),
                ("RefusalGateTargetDown", stopped.BaseAddress.Authority, "pending", "warning"),
            ],
            ignoreOrder: true);
    }

    private static List<(string Name, string? Instance, string State, string Severity)> Described(List<(Dictionary<string, string> Labels, double Value)> alerts) =>
        [.. alerts.Select(a => (a.Labels["alertname"], a.Labels.GetValueOrDefault("instance"), a.Labels["alertstate"], a.Labels["severity"]))];

    /// <summary>The gateways of the test: the test stops some itself, the rest stop on dispose (also after a failure).</summary>
    private sealed class Gateways : IAsyncDisposable
    {
        private readonly List<TestGateway> _running = [];

        public async Task<TestGateway> StartAsync()
        {
            var gateway = await TestGateway.StartAsync();
            _running.Add(gateway);
            return gateway;
        }

        public async Task StopAsync(TestGateway gateway)
        {
            _running.Remove(gateway);
            await gateway.DisposeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var gateway in _running)
            {
                await gateway.DisposeAsync();
            }
        }
    }
}
