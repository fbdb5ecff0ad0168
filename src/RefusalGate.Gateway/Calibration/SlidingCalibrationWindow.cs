namespace RefusalGate.Gateway.Calibration;

/// <summary>
/// Calibration counts of the recent past only: a ring of time slices (a tenth of the window each), the oldest
/// reused once it falls out of the window. So the window covers between nine and ten tenths of its length,
/// and a change in the model's behaviour shows within one window rather than being averaged into the lifetime figures.
/// Not thread-safe: the owner locks around it.
/// </summary>
public sealed class SlidingCalibrationWindow
{
    private const int Slices = 10;

    private readonly long _sliceTicks;
    private readonly TimeProvider _time;
    private readonly (long Index, CalibrationTable Table)[] _slices;

    public SlidingCalibrationWindow(TimeSpan window, double highConfidenceThreshold, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _sliceTicks = Math.Max(1, window.Ticks / Slices);
        _time = time;
        _slices = [.. Enumerable.Range(0, Slices).Select(_ => (-1L, new CalibrationTable(highConfidenceThreshold)))];
    }

    public void Add(CalibrationScore score)
    {
        var index = CurrentSlice();
        ref var slice = ref _slices[index % Slices];
        if (slice.Index != index)
        {
            slice.Table.Clear();
            slice.Index = index;
        }

        slice.Table.Add(score);
    }

    /// <summary>The counts of the slices still inside the window, merged.</summary>
    public CalibrationTable Snapshot(double highConfidenceThreshold)
    {
        var current = CurrentSlice();
        var merged = new CalibrationTable(highConfidenceThreshold);
        foreach (var (index, table) in _slices)
        {
            if (index > current - Slices && index <= current)
            {
                merged.Merge(table);
            }
        }

        return merged;
    }

    /// <summary>The index of the slice now being filled; the window's contents change only when it or an added score does.</summary>
    public long CurrentSlice() => _time.GetUtcNow().UtcTicks / _sliceTicks;
}
