using System.Globalization;
using System.Text.RegularExpressions;

namespace RefusalGate.FunctionalTests.Infrastructure;

/// <summary>The samples of one scrape of <c>/metrics</c> (Prometheus text format), for sums the way PromQL takes them.</summary>
internal sealed partial class PrometheusExposition
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    public PrometheusExposition(string text)
    {
        foreach (Match line in SampleLine().Matches(text))
        {
            var labels = Label().Matches(line.Groups["labels"].Value).ToDictionary(l => l.Groups[1].Value, l => l.Groups[2].Value);
            _samples.Add((line.Groups["name"].Value, labels, double.Parse(line.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }

        Families = new HashSet<string>(TypeLine().Matches(text).SelectMany(m => m.Groups[2].Value == "histogram"
            ? new[] { m.Groups[1].Value + "_bucket", m.Groups[1].Value + "_sum", m.Groups[1].Value + "_count" }
            : [m.Groups[1].Value]), StringComparer.Ordinal);
    }

    /// <summary>Every sample name the scrape can hold (a histogram's <c>_bucket</c>, <c>_sum</c> and <c>_count</c>).</summary>
    public IReadOnlySet<string> Families { get; }

    /// <summary>The sum of the samples of <paramref name="name"/> whose labels satisfy <paramref name="where"/>.</summary>
    public double Sum(string name, Func<IReadOnlyDictionary<string, string>, bool>? where = null) =>
        _samples.Where(s => s.Name == name && (where is null || where(s.Labels))).Sum(s => s.Value);

    /// <summary>The sums of <paramref name="name"/> per value of the label <paramref name="by"/> (PromQL's <c>sum by</c>).</summary>
    public Dictionary<string, double> SumBy(string name, string by, Func<IReadOnlyDictionary<string, string>, bool>? where = null) =>
        _samples.Where(s => s.Name == name && (where is null || where(s.Labels)))
            .GroupBy(s => s.Labels.GetValueOrDefault(by, ""))
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Value));

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?<labels>.*)\})? (?<value>\S+)$""", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(\w+)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();

    [GeneratedRegex("""^# TYPE (\S+) (\S+)$""", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
