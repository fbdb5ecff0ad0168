using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace RefusalGate.Gateway.Telemetry;

/// <summary>
/// Collects the gateway's System.Diagnostics.Metrics instruments and renders them in the Prometheus text exposition
/// format (0.0.4) for <c>GET /metrics</c>. Written in-project because the OpenTelemetry Prometheus exporter is only a
/// beta here. Names follow Prometheus conventions: dots become underscores, the unit is appended in base units
/// (<c>_seconds</c>), counters end in <c>_total</c>.
/// </summary>
public sealed class PrometheusMetricsCollector : IDisposable
{
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly Lock _renderLock = new();

    /// <param name="meterFactory">Only meters this factory created are exported, so two gateways in one process
    /// (tests, benchmarks) never report each other's instruments.</param>
    public PrometheusMetricsCollector(IMeterFactory meterFactory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Meter.Name.StartsWith("RefusalGate", StringComparison.Ordinal))
            {
                _instruments[instrument] = new InstrumentState(instrument);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentState? _);
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public string Render()
    {
        // One scrape at a time: an observable instrument's series are replaced by what its callback reports now, so a
        // series it no longer reports (a recent window that emptied, a model no longer fitted) leaves the exposition
        // instead of repeating its last value forever. Its callbacks run only here, under this lock.
        lock (_renderLock)
        {
            foreach (var state in _instruments.Values)
            {
                state.ForgetObservations();
            }

            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var state in _instruments.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                state.Render(text);
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_instruments.TryGetValue(instrument, out var state))
        {
            state.Record(value, tags);
        }
    }

    private sealed class InstrumentState
    {
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
        private readonly double[] _buckets;
        private readonly string _type;
        private readonly string? _help;
        private readonly bool _isObservable;

        public InstrumentState(Instrument instrument)
        {
            var isCounter = instrument is Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<double>;
            var isHistogram = instrument is Histogram<double> or Histogram<long> or Histogram<int>;
            _type = isHistogram ? "histogram" : isCounter ? "counter" : "gauge";
            _help = instrument.Description;
            _buckets = instrument switch
            {
                Histogram<double> { Advice.HistogramBucketBoundaries: { } advised } => [.. advised],
                // Token counts and other integer histograms: their advice, not the default seconds buckets.
                Histogram<long> { Advice.HistogramBucketBoundaries: { } advised } => [.. advised.Select(b => (double)b)],
                Histogram<int> { Advice.HistogramBucketBoundaries: { } advised } => [.. advised.Select(b => (double)b)],
                _ => DefaultBuckets,
            };
            _isObservable = instrument.IsObservable;
            var baseName = Sanitize(instrument.Name);
            var unit = instrument.Unit switch
            {
                "s" => "_seconds",
                "By" => "_bytes",
                _ => "",
            };
            if (!baseName.EndsWith(unit, StringComparison.Ordinal))
            {
                baseName += unit;
            }

            Name = isCounter && !baseName.EndsWith("_total", StringComparison.Ordinal) ? baseName + "_total" : baseName;
            // An observable counter reports its running total at every scrape: that value replaces the last one.
            IsCumulative = (isCounter && !instrument.IsObservable) || isHistogram;
        }

        public string Name { get; }

        private bool IsCumulative { get; }

        /// <summary>Before a scrape: an observable instrument reports every series it still has, so the old ones go.</summary>
        public void ForgetObservations()
        {
            if (_isObservable)
            {
                _series.Clear();
            }
        }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            var series = _series.GetOrAdd(labels, _ => new Series(_buckets.Length));
            lock (series)
            {
                if (_type == "histogram")
                {
                    series.Count++;
                    series.Sum += value;
                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        if (value <= _buckets[i])
                        {
                            series.Buckets[i]++;
                        }
                    }
                }
                else if (IsCumulative)
                {
                    series.Sum += value;
                }
                else
                {
                    series.Sum = value;
                }
            }
        }

        public void Render(StringBuilder text)
        {
            if (_series.IsEmpty)
            {
                return;
            }

            if (!string.IsNullOrEmpty(_help))
            {
                text.Append("# HELP ").Append(Name).Append(' ').Append(_help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
            }

            text.Append("# TYPE ").Append(Name).Append(' ').Append(_type).Append('\n');
            foreach (var (labels, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                lock (series)
                {
                    if (_type != "histogram")
                    {
                        Sample(text, Name, labels, series.Sum);
                        continue;
                    }

                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        Sample(text, Name + "_bucket", Join(labels, $"le=\"{Format(_buckets[i])}\""), series.Buckets[i]);
                    }

                    Sample(text, Name + "_bucket", Join(labels, "le=\"+Inf\""), series.Count);
                    Sample(text, Name + "_sum", labels, series.Sum);
                    Sample(text, Name + "_count", labels, series.Count);
                }
            }
        }

        private static void Sample(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{').Append(labels).Append('}');
            }

            text.Append(' ').Append(Format(value)).Append('\n');
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.IsEmpty)
            {
                return "";
            }

            var pairs = new List<string>(tags.Length);
            foreach (var (key, value) in tags)
            {
                var escaped = Convert.ToString(value, CultureInfo.InvariantCulture)?
                    .Replace("\\", "\\\\", StringComparison.Ordinal)
                    .Replace("\"", "\\\"", StringComparison.Ordinal)
                    .Replace("\n", "\\n", StringComparison.Ordinal);
                pairs.Add($"{Sanitize(key)}=\"{escaped}\"");
            }

            pairs.Sort(StringComparer.Ordinal);
            return string.Join(',', pairs);
        }

        private static string Format(double value) =>
            double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : value.ToString("R", CultureInfo.InvariantCulture);

        private static string Sanitize(string name)
        {
            var builder = new StringBuilder(name.Length);
            foreach (var c in name)
            {
                builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
            }

            return builder.ToString();
        }
    }

    private sealed class Series(int buckets)
    {
        public double Sum { get; set; }

        public long Count { get; set; }

        public long[] Buckets { get; } = new long[buckets];
    }
}
