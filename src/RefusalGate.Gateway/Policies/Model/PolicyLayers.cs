using System.Collections.Frozen;
using RefusalGate.Gateway.Policies.Actions;
using RefusalGate.Gateway.Policies.Loading;

namespace RefusalGate.Gateway.Policies.Model;

/// <summary>
/// Resolves layered settings into an <see cref="EffectivePolicy"/>. Layers apply in order (built-in defaults, the
/// default policy, then matching overrides from least to most specific); within a layer, a category's own entry applies
/// after the layer's general settings, so the most specific scope wins and, inside a scope, the category wins.
/// </summary>
internal static class PolicyLayers
{
    public const string FallbackCategory = "default";

    public const double DefaultRefuseAt = 0.8;
    public const double DefaultComplyAt = 0.2;

    public static EffectivePolicy Merge(
        IReadOnlyList<PolicyLayerDocument> layers,
        IReadOnlyCollection<string> categories,
        IReadOnlyDictionary<string, IPolicyAction> actions,
        IReadOnlyList<string> appliedOverrides)
    {
        var failMode = FailMode.Open;
        var unreadContent = UnreadContentRule.Uncertain;
        var failAction = DirectAnswerAction.BlockTypeName;
        var fusion = FusionSettings.Default;
        foreach (var layer in layers)
        {
            failMode = layer.FailMode is { } mode ? (mode == "closed" ? FailMode.Closed : FailMode.Open) : failMode;
            unreadContent = layer.UnreadContent is { } unread ? (unread == "classify" ? UnreadContentRule.Classify : UnreadContentRule.Uncertain) : unreadContent;
            failAction = layer.FailAction ?? failAction;
            fusion = Apply(fusion, layer.Fusion);
        }

        var named = NamedCategories(layers, categories).ToFrozenDictionary(c => c, c => Rule(c, layers, actions), StringComparer.Ordinal);
        return new EffectivePolicy(named, Rule(FallbackCategory, layers, actions), failMode, actions[failAction], fusion, appliedOverrides, unreadContent);
    }

    /// <summary>The categories that get a rule of their own: the taxonomy's and any a layer names (anything else gets the fallback).</summary>
    internal static IEnumerable<string> NamedCategories(IReadOnlyList<PolicyLayerDocument> layers, IReadOnlyCollection<string> categories) =>
        categories.Concat(layers.SelectMany(l => l.Categories?.Keys ?? Enumerable.Empty<string>())).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// The thresholds <paramref name="category"/> ends up with, and the entry each came from, so that the loader can name
    /// both when they are out of order. The rule's own values come from here too: there is one merge order.
    /// </summary>
    internal static (ThresholdSetting Refuse, ThresholdSetting Comply) Thresholds(IReadOnlyList<PolicyLayerDocument> layers, string category)
    {
        var refuse = new ThresholdSetting(DefaultRefuseAt, null, null);
        var comply = new ThresholdSetting(DefaultComplyAt, null, null);
        foreach (var (layer, own, entry) in Entries(layers, category))
        {
            refuse = entry.Thresholds?.Refuse is { } r ? new ThresholdSetting(r, layer, own) : refuse;
            comply = entry.Thresholds?.Comply is { } c ? new ThresholdSetting(c, layer, own) : comply;
        }

        return (refuse, comply);
    }

    private static CategoryRule Rule(string category, IReadOnlyList<PolicyLayerDocument> layers, IReadOnlyDictionary<string, IPolicyAction> actions)
    {
        var (refuse, comply) = Thresholds(layers, category);
        string onRefuse = AnnotateAction.TypeName, onUncertain = StrictAction.TypeName, onComply = AllowAction.TypeName;
        var selfPrediction = SelfPredictionSettings.Default;
        foreach (var (_, _, entry) in Entries(layers, category))
        {
            onRefuse = entry.Actions?.Refuse ?? onRefuse;
            onUncertain = entry.Actions?.Uncertain ?? onUncertain;
            onComply = entry.Actions?.Comply ?? onComply;
            selfPrediction = Apply(selfPrediction, entry.SelfPrediction);
        }

        return new CategoryRule(category, refuse.Value, comply.Value, actions[onRefuse], actions[onUncertain], actions[onComply], selfPrediction);
    }

    /// <summary>
    /// The entries that shape a category, in the order they apply: per layer its general settings, then the category's
    /// own entry (<c>Category</c> set). A layer's general settings are a category entry without a name.
    /// </summary>
    private static IEnumerable<(PolicyLayerDocument Layer, string? Category, CategoryPolicyDocument Entry)> Entries(IReadOnlyList<PolicyLayerDocument> layers, string category)
    {
        foreach (var layer in layers)
        {
            yield return (layer, null, new CategoryPolicyDocument { Thresholds = layer.Thresholds, Actions = layer.Actions, SelfPrediction = layer.SelfPrediction });
            if (layer.Categories?.GetValueOrDefault(category) is { } own)
            {
                yield return (layer, category, own);
            }
        }
    }

    private static SelfPredictionSettings Apply(SelfPredictionSettings current, SelfPredictionDocument? layer) => layer is null ? current : current with
    {
        Mode = layer.Mode switch
        {
            "off" => SelfPredictionMode.Off,
            "band" => SelfPredictionMode.Band,
            "shadow" => SelfPredictionMode.Shadow,
            _ => current.Mode,
        },
        SampleRate = layer.SampleRate ?? current.SampleRate,
        Timeout = layer.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : current.Timeout,
        MaxTokens = layer.MaxTokens ?? current.MaxTokens,
        CacheTtl = layer.CacheTtlSeconds is { } ttl ? TimeSpan.FromSeconds(ttl) : current.CacheTtl,
        BudgetPerMinute = layer.BudgetPerMinute ?? current.BudgetPerMinute,
        SystemPrompt = layer.SystemPrompt ?? current.SystemPrompt,
        UserPrompt = layer.UserPrompt ?? current.UserPrompt,
    };

    private static FusionSettings Apply(FusionSettings current, FusionDocument? layer) => layer is null ? current : new FusionSettings(
        layer.Bias ?? current.Bias,
        layer.ClassifierWeight ?? current.ClassifierWeight,
        layer.SelfWeight ?? current.SelfWeight,
        layer.Fit ?? current.Fit,
        layer.MinSamples ?? current.MinSamples);
}

/// <summary>
/// A merged threshold and where it was set: <see cref="Layer"/> null is the built-in default; <see cref="Category"/>
/// null is the layer's general thresholds, else that category's own entry.
/// </summary>
internal sealed record ThresholdSetting(double Value, PolicyLayerDocument? Layer, string? Category);
