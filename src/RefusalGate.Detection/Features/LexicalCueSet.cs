using System.Text.Json;
using RefusalGate.Detection.Text;

namespace RefusalGate.Detection.Features;

/// <summary>
/// The lexical cue features of onnx-models/detector/lexical-cues.json, computed exactly as
/// onnx-models/training/detector/detector_features.py computes them: per group "fires in the first
/// sentence(s)", "fires in the opening" and "fires anywhere", then four shape features.
/// </summary>
internal sealed class LexicalCueSet
{
    private readonly IReadOnlyList<LexicalCueGroup> _groups;
    private readonly double _maxLog;

    public LexicalCueSet(IReadOnlyList<LexicalCueGroup> groups, RefusalReasonRules reasonRules, int maxChars)
    {
        _groups = groups;
        ReasonRules = reasonRules;
        _maxLog = Math.Log(1.0 + maxChars);
    }

    public RefusalReasonRules ReasonRules { get; }

    public int FeatureCount => (_groups.Count * 3) + 4;

    public IEnumerable<string> FeatureNames =>
        _groups.SelectMany(g => new[] { g.Name + "_first", g.Name + "_opening", g.Name + "_any" })
            .Concat(["log_length", "log_rest_length", "has_rest", "newlines"]);

    public static LexicalCueSet Load(string path, int maxChars)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var groups = root.GetProperty("groups").EnumerateArray()
            .Select(g => new LexicalCueGroup(
                g.GetProperty("name").GetString() ?? throw new InvalidDataException($"{path}: a cue group has no name"),
                g.GetProperty("patterns").EnumerateArray().Select(p => p.GetString() ?? string.Empty)))
            .ToList();
        return new LexicalCueSet(groups, RefusalReasonRules.Parse(root.GetProperty("reasonRules")), maxChars);
    }

    public float[] Compute(PreparedResponse prepared)
    {
        var values = new float[FeatureCount];
        var i = 0;
        foreach (var group in _groups)
        {
            values[i++] = group.Matches(prepared.First) ? 1f : 0f;
            values[i++] = group.Matches(prepared.Opening) ? 1f : 0f;
            values[i++] = group.Matches(prepared.Text) ? 1f : 0f;
        }

        values[i++] = (float)(Math.Log(1.0 + prepared.TextLength) / _maxLog);
        values[i++] = (float)(Math.Log(1.0 + prepared.RestLength) / _maxLog);
        values[i++] = prepared.Rest.Length > 0 ? 1f : 0f;
        values[i] = Math.Min(prepared.Text.Count(c => c == '\n'), 20) / 20f;
        return values;
    }

    public ISet<string> Hits(string text) => _groups.Where(g => g.Matches(text)).Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
}
