using System.Diagnostics.Metrics;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Policies;

/// <summary>
/// The policy and cascade instruments (same meter as <see cref="GatewayMetrics"/>, so <c>/metrics</c> shows them).
/// Labels are bounded: action types, zones, taxonomy categories, known tenants, result names.
/// </summary>
public sealed class PolicyMetrics
{
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _selfPredictions;
    private readonly Histogram<double> _selfPredictionDuration;
    private readonly Counter<long> _failEvents;
    private readonly Counter<long> _reloads;
    private long _generation;
    private long _lastReloadFailed;

    public PolicyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(GatewayMetrics.MeterName);
        _decisions = meter.CreateCounter<long>("refusalgate.policy.decisions", "{request}", "Policy decisions by action type, zone, category and tenant.");
        _selfPredictions = meter.CreateCounter<long>("refusalgate.self_prediction.calls", "{call}", "Self-prediction attempts by mode (band, shadow, sample) and result (refuse, comply, timeout, error, unparseable, budget_exhausted, overloaded) and whether the cache answered.");
        _selfPredictionDuration = meter.CreateHistogram<double>("refusalgate.self_prediction.duration", "s", "Time of self-prediction calls to the upstream (cache hits excluded).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _failEvents = meter.CreateCounter<long>("refusalgate.policy.fail_events", "{event}", "A stage failed and the fail mode decided: by stage (classifier, self_prediction) and mode (open, closed).");
        _reloads = meter.CreateCounter<long>("refusalgate.policy.reloads", "{reload}", "Policy reloads by result (success, failure); on failure the last good policy stays in force.");
        meter.CreateObservableGauge("refusalgate.policy.generation", () => Interlocked.Read(ref _generation), "{generation}", "How many policy sets have been loaded since start (1 = the start-up one).");
        meter.CreateObservableGauge("refusalgate.policy.last_reload_failed", () => Interlocked.Read(ref _lastReloadFailed), description: "Whether the latest reload attempt failed and an older policy is still in force (1) or not (0).");
    }

    public void Decision(string action, string zone, string category, string tenant) => _decisions.Add(
        1,
        new KeyValuePair<string, object?>("action", action),
        new KeyValuePair<string, object?>("zone", zone),
        new KeyValuePair<string, object?>("category", category),
        new KeyValuePair<string, object?>("tenant", tenant));

    public void SelfPrediction(string mode, string result, bool cached, TimeSpan? callDuration)
    {
        _selfPredictions.Add(
            1,
            new KeyValuePair<string, object?>("mode", mode),
            new KeyValuePair<string, object?>("result", result),
            new KeyValuePair<string, object?>("cached", cached ? "true" : "false"));
        if (callDuration is { } duration)
        {
            _selfPredictionDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("mode", mode));
        }
    }

    public void FailEvent(string stage, string mode) =>
        _failEvents.Add(1, new KeyValuePair<string, object?>("stage", stage), new KeyValuePair<string, object?>("mode", mode));

    public void Reloaded(bool succeeded)
    {
        _reloads.Add(1, new KeyValuePair<string, object?>("result", succeeded ? "success" : "failure"));
        Interlocked.Exchange(ref _lastReloadFailed, succeeded ? 0 : 1);
        if (succeeded)
        {
            Interlocked.Increment(ref _generation);
        }
    }
}
