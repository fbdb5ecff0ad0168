using System.Text.Json;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests.Monitoring;

/// <summary>The queries of <c>deploy/grafana/refusalgate-dashboard.json</c>.</summary>
internal static class ShippedDashboard
{
    public static string Path { get; } = Repository.PathOf("deploy", "grafana", "refusalgate-dashboard.json");

    public static List<string> Queries()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path));
        return [.. dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(panel => panel.TryGetProperty("targets", out _))
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Select(target => target.GetProperty("expr").GetString()!)];
    }

    /// <summary>A query with the dashboard's variables as Grafana fills them in (all models, the classifier, a 1 h window).</summary>
    public static string WithVariablesFilledIn(string query) => query
        .Replace("$source", "classifier", StringComparison.Ordinal)
        .Replace("$model", ".*", StringComparison.Ordinal)
        .Replace("$window", "1h", StringComparison.Ordinal)
        .Replace("$__range", "6h", StringComparison.Ordinal)
        .Replace("$__rate_interval", "1m", StringComparison.Ordinal);
}
