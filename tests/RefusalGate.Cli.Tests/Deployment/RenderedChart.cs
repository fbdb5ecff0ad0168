using Newtonsoft.Json.Linq;

namespace RefusalGate.Cli.Tests.Deployment;

/// <summary>The chart as <see cref="HelmChart.Render"/> rendered it: each template's text, and the objects Helm would install.</summary>
internal sealed class RenderedChart(IReadOnlyDictionary<string, string> texts, IReadOnlyList<(string Template, JObject Object)> objects)
{
    /// <summary>Rendered text by template file name (NOTES.txt included).</summary>
    public IReadOnlyDictionary<string, string> Texts { get; } = texts;

    /// <summary>The Kubernetes objects, each with the template it came from.</summary>
    public IReadOnlyList<(string Template, JObject Object)> Objects { get; } = objects;

    /// <summary>Each object as "Kind/name".</summary>
    public IEnumerable<string> Names() => Objects.Select(o => $"{o.Object["kind"]}/{o.Object.SelectToken("metadata.name")}").Order(StringComparer.Ordinal);

    /// <summary>The only object of <paramref name="kind"/>, or the test fails.</summary>
    public JObject Single(string kind) => Objects.Where(o => (string?)o.Object["kind"] == kind).ShouldHaveSingleItem($"one {kind}").Object;

    /// <summary>The object named <paramref name="name"/> of <paramref name="kind"/>, or the test fails.</summary>
    public JObject Single(string kind, string name) =>
        Objects.Where(o => (string?)o.Object["kind"] == kind && (string?)o.Object.SelectToken("metadata.name") == name).ShouldHaveSingleItem($"{kind}/{name}").Object;

    /// <summary>Every object in one multi-document YAML file, as <c>helm template</c> prints them.</summary>
    public string Manifest() => string.Join("", Objects.Select(o => o.Template).Distinct().Select(t => "---\n" + Texts[t] + "\n"));
}
