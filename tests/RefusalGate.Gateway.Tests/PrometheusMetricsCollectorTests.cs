using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Tests;

public sealed class PrometheusMetricsCollectorTests
{
    [Fact]
    public void Renders_counters_histograms_and_gauges_in_prometheus_text()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var collector = new PrometheusMetricsCollector(factory);
        var meter = factory.Create("RefusalGate.Test");
        var counter = meter.CreateCounter<long>("refusalgate.things", "{thing}", "Things seen.");
        var histogram = meter.CreateHistogram<double>("refusalgate.wait.duration", "s", "Waiting.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        meter.CreateObservableGauge("refusalgate.level", () => 3.5);

        counter.Add(2, new KeyValuePair<string, object?>("kind", "a\"b"));
        counter.Add(1, new KeyValuePair<string, object?>("kind", "a\"b"));
        histogram.Record(0.05);
        histogram.Record(0.5);
        histogram.Record(5);

        var text = collector.Render();

        text.ShouldContain("# TYPE refusalgate_things_total counter\nrefusalgate_things_total{kind=\"a\\\"b\"} 3\n");
        text.ShouldContain("refusalgate_wait_duration_seconds_bucket{le=\"0.1\"} 1\n");
        text.ShouldContain("refusalgate_wait_duration_seconds_bucket{le=\"1\"} 2\n");
        text.ShouldContain("refusalgate_wait_duration_seconds_bucket{le=\"+Inf\"} 3\n");
        text.ShouldContain("refusalgate_wait_duration_seconds_count 3\n");
        text.ShouldContain("# TYPE refusalgate_level gauge\nrefusalgate_level 3.5\n");
    }

    [Fact]
    public void An_observable_counter_shows_its_running_total_not_the_sum_of_scrapes()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var collector = new PrometheusMetricsCollector(factory);
        long total = 0;
        factory.Create("RefusalGate.Test").CreateObservableCounter("refusalgate.losses", () => total, "{loss}");

        collector.Render().ShouldContain("# TYPE refusalgate_losses_total counter\nrefusalgate_losses_total 0\n");
        total = 5;
        collector.Render();

        collector.Render().ShouldContain("refusalgate_losses_total 5\n");
    }

    [Fact]
    public void A_series_an_observable_instrument_no_longer_reports_leaves_the_exposition()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var collector = new PrometheusMetricsCollector(factory);
        var models = new List<string> { "a", "b" };
        factory.Create("RefusalGate.Test").CreateObservableGauge(
            "refusalgate.figure", () => models.Select(m => new Measurement<double>(0.5, new KeyValuePair<string, object?>("model", m))));

        collector.Render().ShouldContain("refusalgate_figure{model=\"b\"} 0.5\n");
        models.Remove("b");
        var text = collector.Render();

        // A gauge that is gone must not keep its last value (a window that emptied, a model no longer fitted).
        text.ShouldContain("refusalgate_figure{model=\"a\"} 0.5\n");
        text.ShouldNotContain("model=\"b\"");
        models.Clear();
        collector.Render().ShouldNotContain("refusalgate_figure");
    }

    [Fact]
    public void An_integer_histogram_uses_its_advised_buckets()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var collector = new PrometheusMetricsCollector(factory);
        var tokens = factory.Create("RefusalGate.Test").CreateHistogram<long>("refusalgate.tokens", "{token}", "Tokens.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [16, 256] });

        tokens.Record(34);
        var text = collector.Render();

        text.ShouldContain("refusalgate_tokens_bucket{le=\"16\"} 0\n");
        text.ShouldContain("refusalgate_tokens_bucket{le=\"256\"} 1\n");
        text.ShouldNotContain("le=\"0.005\"");
    }

    [Fact]
    public void Ignores_meters_of_other_factories()
    {
        using var ours = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var theirs = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var collector = new PrometheusMetricsCollector(ours.GetRequiredService<IMeterFactory>());
        theirs.GetRequiredService<IMeterFactory>().Create("RefusalGate.Other").CreateCounter<long>("refusalgate.foreign").Add(1);

        collector.Render().ShouldNotContain("foreign");
    }
}
