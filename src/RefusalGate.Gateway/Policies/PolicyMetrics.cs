using System.Collections.Concurrent;
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

    // Observable, with every label pair known up front, so an alert on them has a series (at 0) before the first event.
    private readonly ConcurrentDictionary<(string Stage, string Mode), long> _failEvents = new()
    {
        [("classifier", "open")] = 0,
        [("classifier", "closed")] = 0,
        [("self_prediction", "open")] = 0,
        [("self_prediction", "closed")] = 0,
    };

    private readonly ConcurrentDictionary<string, long> _reloads = new() { ["success"] = 0, ["failure"] = 0 };
    private long _generation;
    private long _lastReloadFailed;

    public PolicyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(GatewayMetrics.MeterName);
        _decisions = meter.CreateCounter<long>("refusalgate.policy.decisions", "{request}", "Policy decisions by action type, zone, category and tenant.");
        _selfPredictions = meter.CreateCounter<long>("refusalgate.self_prediction.calls", "{call}", "Self-prediction attempts by mode (band, shadow, sample) and result (refuse, comply, timeout, error, unparseable, budget_exhausted, overloaded) and whether the cache answered.");
        _selfPredictionDuration = meter.CreateHistogram<double>("refusalgate.self_prediction.duration", "s", "Time of self-prediction calls to the upstream (cache hits excluded).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        meter.CreateObservableCounter(
            "refusalgate.policy.fail_events",
            () => _failEvents.Select(e => new Measurement<long>(e.Value, new KeyValuePair<string, object?>("stage", e.Key.Stage), new KeyValuePair<string, object?>("mode", e.Key.Mode))),
            "{event}",
            "A stage failed and the fail mode decided: by stage (classifier, self_prediction) and mode (open, closed).");
        meter.CreateObservableCounter(
            "refusalgate.policy.reloads",
            () => _reloads.Select(r => new Measurement<long>(r.Value, new KeyValuePair<string, object?>("result", r.Key))),
            "{reload}",
            "Policy reloads by result (success, failure); on failure the last good policy stays in force.");
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

    public void FailEvent(string stage, string mode) => _failEvents.AddOrUpdate((stage, mode), 1, (_, count) => count + 1);

    /// <param name="succeeded">Whether the files validated (and are the ones in force).</param>
    /// <param name="installed">Whether a new policy set was put in force: not when an invalid change was undone and
    /// the set in force is already the files' (the generation tells an operator that a change took effect).</param>
    public void Reloaded(bool succeeded, bool installed)
    {
        _reloads.AddOrUpdate(succeeded ? "success" : "failure", 1, (_, count) => count + 1);
        Interlocked.Exchange(ref _lastReloadFailed, succeeded ? 0 : 1);
        if (installed)
        {
            Interlocked.Increment(ref _generation);
        }
    }
}
