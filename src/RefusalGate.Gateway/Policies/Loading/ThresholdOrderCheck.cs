using RefusalGate.Gateway.Policies.Model;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>
/// Comply must not be above refuse in any policy a request can get. An entry that sets both is checked where it is
/// written (and not again here); this checks what the layers merge into, for every combination of overrides that can
/// apply to one request together, because settings that are each fine can still meet inverted (a tenant's comply 0.7,
/// a route's refuse 0.4).
/// Each inverting pair of settings is reported once, at the one that applies later, naming both with their lines.
/// </summary>
internal static class ThresholdOrderCheck
{
    public static void Run(PolicySet set, IReadOnlyDictionary<PolicyLayerDocument, LayerSource> sources, IReadOnlyCollection<string>? upstreams, List<PolicyDiagnostic> errors)
    {
        // Overrides without thresholds cannot change the outcome; leaving them out keeps the combinations few.
        if (OverrideCombinations.Reachable(set.Overrides, o => SetsThresholds(o.Layer), set.Tenants, upstreams) is not { } combinations)
        {
            // Reported at the first of those patterns: no single one is at fault, but that is where to start reading.
            var first = set.Overrides.First(o => o.Model is not null && SetsThresholds(o.Layer));
            errors.Add(sources[first.Layer].MatchAt("model",
                $"The model patterns of the overrides that set thresholds combine in too many ways (over {OverrideCombinations.MaxModelStates} cases) to check that comply stays ≤ refuse in each; use fewer or simpler patterns there."));
            return;
        }

        var inversions = new Dictionary<(ThresholdSetting Refuse, ThresholdSetting Comply), Inversion>();
        foreach (var combination in combinations)
        {
            var layers = set.LayersOf(combination.Mask);
            var categories = set.CategoriesOf(combination.Mask);
            foreach (var category in categories)
            {
                var (refuse, comply) = PolicyLayers.Thresholds(layers, category);
                if (comply.Value > refuse.Value && !OneEntry(refuse, comply))
                {
                    if (!inversions.TryGetValue((refuse, comply), out var inversion))
                    {
                        inversion = inversions[(refuse, comply)] = new Inversion(combination.Example, categories.Count, ComplyAppliesLater(refuse, comply, layers));
                    }

                    inversion.Categories.Add(category);
                }
            }
        }

        errors.AddRange(inversions
            .Select(i => Report(i.Key.Refuse, i.Key.Comply, i.Value, sources))
            .OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ThenBy(d => d.Column));
    }

    private static PolicyDiagnostic Report(ThresholdSetting refuse, ThresholdSetting comply, Inversion inversion, IReadOnlyDictionary<PolicyLayerDocument, LayerSource> sources)
    {
        var refuseAt = At(refuse, "refuse");
        var complyAt = At(comply, "comply");
        var categories = inversion.Categories.Count >= inversion.CategoriesInScope ? "every category"
            : $"{(inversion.Categories.Count == 1 ? "category" : "categories")} {string.Join(", ", inversion.Categories.Select(c => $"'{c}'"))}";
        var message = $"{Phrase(comply, "comply", complyAt)} is above {Phrase(refuse, "refuse", refuseAt)} for {categories} "
            + $"(e.g. {inversion.Example}); comply must be ≤ refuse. Set both thresholds in the more specific place, or add an "
            + "override for this combination that sets both.";
        var place = (inversion.ComplyAppliesLater ? complyAt : null) ?? refuseAt ?? complyAt!;
        return place with { Message = char.ToUpperInvariant(message[0]) + message[1..] };

        PolicyDiagnostic? At(ThresholdSetting setting, string threshold) =>
            setting.Layer is null ? null : sources[setting.Layer].ThresholdAt(setting.Category, threshold);

        string Phrase(ThresholdSetting setting, string threshold, PolicyDiagnostic? at) => setting.Layer is null
            ? $"the built-in {threshold} threshold {setting.Value}"
            : $"the {threshold} threshold {setting.Value} from {sources[setting.Layer].Describe(setting.Category)} ({at!.Location})";
    }

    /// <summary>Later layers apply later; within a layer a category's own entry applies after the general settings.</summary>
    private static bool ComplyAppliesLater(ThresholdSetting refuse, ThresholdSetting comply, IReadOnlyList<PolicyLayerDocument> layers)
    {
        return Order(comply) >= Order(refuse);

        int Order(ThresholdSetting setting) =>
            setting.Layer is null ? -1 : (2 * layers.ToList().IndexOf(setting.Layer)) + (setting.Category is null ? 0 : 1);
    }

    private static bool SetsThresholds(PolicyLayerDocument layer) =>
        layer.Thresholds is not null || (layer.Categories?.Values.Any(c => c?.Thresholds is not null) ?? false);

    /// <summary>Both set in one entry: the loader has reported that at the entry already, once rather than per combination.</summary>
    private static bool OneEntry(ThresholdSetting refuse, ThresholdSetting comply) =>
        refuse.Layer is not null && ReferenceEquals(refuse.Layer, comply.Layer) && refuse.Category == comply.Category;

    /// <summary>One inverting pair of settings: where it was first met, and every category it inverts.</summary>
    private sealed class Inversion(string example, int categoriesInScope, bool complyAppliesLater)
    {
        public string Example { get; } = example;

        public int CategoriesInScope { get; } = categoriesInScope;

        public bool ComplyAppliesLater { get; } = complyAppliesLater;

        public SortedSet<string> Categories { get; } = new(StringComparer.Ordinal);
    }
}
