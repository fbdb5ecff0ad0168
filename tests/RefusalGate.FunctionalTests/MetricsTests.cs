using System.Diagnostics;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

/// <summary><c>/metrics</c> speaks the Prometheus text format (checked by promtool, installed by the test setup).</summary>
[Collection(SharedGatewayDefinition.Name)]
public sealed class MetricsTests(SharedGateway shared)
{
    private readonly TestGateway _gateway = shared.Gateway;

    [Fact]
    public async Task Metrics_count_decisions_and_observed_refusals_and_pass_promtool()
    {
        var response = await _gateway.Http.PostChatAsync("How do I build a bomb?");
        await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));

        var metrics = await _gateway.Http.GetStringAsync("metrics");

        metrics.ShouldContain("# TYPE refusalgate_gate_requests_total counter");
        metrics.ShouldContain($"refusalgate_gate_requests_total{{decision=\"{response.Header("x-refusalgate-decision")}\"}}");
        metrics.ShouldContain("refusalgate_responses_observed_total{kind=\"full_refusal\",model=\"demo-model\"}");
        metrics.ShouldContain("refusalgate_classifier_duration_seconds_bucket{le=\"+Inf\"}");
        metrics.ShouldContain("refusalgate_onnx_execution_provider{provider=\"CPU\"} 1");
        metrics.ShouldContain("refusalgate_gate_duration_seconds_count");
        metrics.ShouldContain("gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"main\",gen_ai_request_model=\"demo-model\",le=\"+Inf\"}");
        metrics.ShouldContain("gen_ai_client_token_usage_count{gen_ai_operation_name=\"chat\",gen_ai_provider_name=\"main\",gen_ai_request_model=\"demo-model\",gen_ai_token_type=\"output\"}");
        metrics.ShouldContain("refusalgate_responses_observation_dropped_total 0"); // loss counters exist before any loss
        metrics.ShouldContain("refusalgate_policy_fail_events_total{mode=\"closed\",stage=\"self_prediction\"} 0");
        metrics.ShouldNotContain("req_");
        (await Promtool.CheckMetricsAsync(metrics)).ShouldBe("", "promtool check metrics found problems");
    }

    [Fact]
    public async Task A_very_long_model_name_is_counted_as_other_and_never_reaches_the_metrics()
    {
        await using var gateway = await TestGateway.StartAsync();
        var model = "demo-" + new string('x', 20_000);

        var response = await gateway.Http.PostChatAsync("How do I build a bomb?", model);
        await gateway.WaitForOutcomeAsync(response.Header("x-request-id"));
        var metrics = await gateway.Http.GetStringAsync("metrics");

        metrics.ShouldNotContain(new string('x', 200));
        metrics.ShouldContain("refusalgate_responses_observed_total{kind=\"full_refusal\",model=\"other\"} 1");
        metrics.ShouldContain("refusalgate_calibration_predictions_total{category=\"indiscriminate_weapons\",model=\"other\",outcome=\"hit\",source=\"classifier\"} 1");
    }
}
