using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Calibration;

/// <summary>
/// This replica's live calibration picture: every scored outcome (<see cref="CalibrationSources.Of"/>) counted since
/// start and within the recent sliding window. Model names come from clients, so only the first
/// <see cref="CalibrationOptions.MaxModels"/> get their own key; the rest share <c>other</c>. The picture shared by all
/// replicas is the Redis aggregates the outcome log keeps.
/// </summary>
public sealed class CalibrationAggregator : IOutcomeSink
{
    private readonly CalibrationOptions _options;
    private readonly CalibrationTable _total;
    private readonly SlidingCalibrationWindow? _recent;
    private readonly ModelLabels _models;
    private readonly Lock _lock = new();

    // A scrape reads every gauge, each asking for the rows: they are derived once per change (and, for the window,
    // per slice), not once per gauge.
    private long _version;
    private (long Version, IReadOnlyList<CalibrationRow> Rows) _totalRows = (-1, []);
    private (long Version, long Slice, IReadOnlyList<CalibrationRow> Rows) _recentRows = (-1, -1, []);
    private (long Version, IReadOnlyList<KeyValuePair<CalibrationKey, CalibrationCounts>> Counts) _totalCounts = (-1, []);

    public CalibrationAggregator(IOptions<CalibrationOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _total = new CalibrationTable(_options.HighConfidenceThreshold);
        _recent = _options.Window > TimeSpan.Zero ? new SlidingCalibrationWindow(_options.Window, _options.HighConfidenceThreshold, time) : null;
        _models = new ModelLabels(_options.MaxModels);
    }

    public ValueTask WriteAsync(RequestOutcome outcome, CancellationToken cancellationToken)
    {
        foreach (var score in CalibrationSources.Of(outcome))
        {
            Add(score);
        }

        return ValueTask.CompletedTask;
    }

    public void Add(CalibrationScore score)
    {
        var bounded = score with { Model = _models.Label(score.Model) };
        lock (_lock)
        {
            _total.Add(bounded);
            _recent?.Add(bounded);
            _version++;
        }
    }

    /// <summary>The figures since start for every (source, model, category) seen.</summary>
    public IReadOnlyList<CalibrationRow> Snapshot()
    {
        lock (_lock)
        {
            if (_totalRows.Version != _version)
            {
                _totalRows = (_version, _total.Rows());
            }

            return _totalRows.Rows;
        }
    }

    /// <summary>The counts since start for every (source, model, category) seen, copied so a scrape reads one consistent set.</summary>
    public IReadOnlyList<KeyValuePair<CalibrationKey, CalibrationCounts>> TotalCounts()
    {
        lock (_lock)
        {
            if (_totalCounts.Version != _version)
            {
                _totalCounts = (_version, [.. _total.Counts.Select(c => KeyValuePair.Create(c.Key, Copy(c.Value)))]);
            }

            return _totalCounts.Counts;
        }
    }

    /// <summary>The figures of the sliding window (<see cref="CalibrationOptions.Window"/>); empty when it is off.</summary>
    public IReadOnlyList<CalibrationRow> SnapshotRecent()
    {
        if (_recent is null)
        {
            return [];
        }

        lock (_lock)
        {
            var slice = _recent.CurrentSlice();
            if (_recentRows.Version != _version || _recentRows.Slice != slice)
            {
                _recentRows = (_version, slice, _recent.Snapshot(_options.HighConfidenceThreshold).Rows());
            }

            return _recentRows.Rows;
        }
    }

    private static CalibrationCounts Copy(CalibrationCounts counts)
    {
        var copy = new CalibrationCounts();
        copy.Merge(counts);
        return copy;
    }
}
