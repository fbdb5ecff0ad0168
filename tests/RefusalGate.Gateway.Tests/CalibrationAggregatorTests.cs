using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Calibration;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Tests;

public sealed class CalibrationAggregatorTests
{
    private readonly ManualClock _clock = new();

    private CalibrationAggregator Aggregator(TimeSpan? window = null) =>
        new(Options.Create(new CalibrationOptions { Window = window ?? TimeSpan.FromMinutes(10) }), _clock);

    [Fact]
    public void Self_and_fused_predictions_are_scored_as_their_own_sources()
    {
        var aggregator = Aggregator();

        aggregator.Add(new CalibrationScore("classifier", "m", "hate", 0.7, PredictedRefusal: true, Confidence: 0.7, ActualRefusal: false));
        aggregator.Add(CalibrationScore.FromProbability("self", "m", "hate", 0.2, actualRefusal: false));
        aggregator.Add(CalibrationScore.FromProbability("self", "m", "hate", 0.95, actualRefusal: true));

        var rows = aggregator.Snapshot();
        var self = rows.Single(r => r is { Source: "self", Model: "all", Category: "all" });
        self.Figures.Samples.ShouldBe(2);
        self.Figures.Accuracy.ShouldBe(1.0);
        self.Figures.HighConfidenceCoverage.ShouldBe(0.5);
        rows.Single(r => r is { Source: "classifier", Model: "all", Category: "all" }).Figures.Accuracy.ShouldBe(0.0);
        rows.Select(r => r.Category).ShouldBe(["all", "all", "hate", "all", "all", "hate"]);
    }

    [Fact]
    public void The_recent_window_forgets_what_fell_out_of_it_while_the_total_keeps_it()
    {
        var aggregator = Aggregator(TimeSpan.FromMinutes(10));
        for (var i = 0; i < 4; i++)
        {
            aggregator.Add(CalibrationScore.FromProbability("classifier", "m", "none", 0.9, actualRefusal: false));
        }

        Overall(aggregator.SnapshotRecent()).Samples.ShouldBe(4);
        Overall(aggregator.Snapshot()).Samples.ShouldBe(4);

        _clock.Advance(TimeSpan.FromMinutes(5));
        aggregator.Add(CalibrationScore.FromProbability("classifier", "m", "none", 0.9, actualRefusal: true));
        Overall(aggregator.SnapshotRecent()).Samples.ShouldBe(5);
        Overall(aggregator.Snapshot()).Samples.ShouldBe(5);

        // Eleven minutes after the first four, only the fifth is still recent.
        _clock.Advance(TimeSpan.FromMinutes(6));
        var recent = Overall(aggregator.SnapshotRecent());
        recent.Samples.ShouldBe(1);
        recent.Accuracy.ShouldBe(1.0);
        Overall(aggregator.Snapshot()).Samples.ShouldBe(5);
        Overall(aggregator.Snapshot()).Accuracy.ShouldBe(0.2);

        _clock.Advance(TimeSpan.FromMinutes(11));
        aggregator.SnapshotRecent().ShouldBeEmpty();
    }

    [Fact]
    public void The_recent_gauges_leave_metrics_once_their_window_has_emptied()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var collector = new PrometheusMetricsCollector(factory);
        var aggregator = Aggregator(TimeSpan.FromMinutes(2));
        _ = new CalibrationMetrics(factory, aggregator);
        aggregator.Add(new CalibrationScore("classifier", "m", "hate", 0.9, PredictedRefusal: true, Confidence: 0.9, ActualRefusal: true));

        const string recentSamples = "refusalgate_calibration_samples{category=\"all\",model=\"all\",source=\"classifier\",window=\"recent\"} 1\n";
        collector.Render().ShouldContain(recentSamples);

        // Nothing happened for longer than the window: the recent figures are undefined, not the last ones seen.
        _clock.Advance(TimeSpan.FromMinutes(3));
        var text = collector.Render();
        text.ShouldNotContain("window=\"recent\"");
        text.ShouldContain("refusalgate_calibration_samples{category=\"all\",model=\"all\",source=\"classifier\",window=\"total\"} 1\n");
    }

    [Fact]
    public void A_zero_window_turns_the_recent_figures_off()
    {
        var aggregator = Aggregator(TimeSpan.Zero);
        aggregator.Add(CalibrationScore.FromProbability("classifier", "m", "none", 0.9, actualRefusal: true));
        aggregator.SnapshotRecent().ShouldBeEmpty();
        aggregator.Snapshot().ShouldNotBeEmpty();
    }

    private static CalibrationFigures Overall(IReadOnlyList<CalibrationRow> rows) =>
        rows.Single(r => r is { Source: "classifier", Model: "all", Category: "all" }).Figures;

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
