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
        var failAction = DirectAnswerAction.BlockTypeName;
        var fusion = FusionSettings.Default;
        foreach (var layer in layers)
        {
            failMode = layer.FailMode is { } mode ? (mode == "closed" ? FailMode.Closed : FailMode.Open) : failMode;
            failAction = layer.FailAction ?? failAction;
            fusion = Apply(fusion, layer.Fusion);
        }

        var named = categories
            .Concat(layers.SelectMany(l => l.Categories?.Keys ?? Enumerable.Empty<string>()))
            .Distinct(StringComparer.Ordinal)
            .ToFrozenDictionary(c => c, c => Rule(c, layers, actions), StringComparer.Ordinal);
        return new EffectivePolicy(named, Rule(FallbackCategory, layers, actions), failMode, actions[failAction], fusion, appliedOverrides);
    }

    private static CategoryRule Rule(string category, IReadOnlyList<PolicyLayerDocument> layers, IReadOnlyDictionary<string, IPolicyAction> actions)
    {
        double refuseAt = DefaultRefuseAt, complyAt = DefaultComplyAt;
        string onRefuse = AnnotateAction.TypeName, onUncertain = StrictAction.TypeName, onComply = AllowAction.TypeName;
        var selfPrediction = SelfPredictionSettings.Default;
        foreach (var layer in layers)
        {
            ApplyAll(layer.Thresholds, layer.Actions, layer.SelfPrediction);
            if (layer.Categories?.GetValueOrDefault(category) is { } own)
            {
                ApplyAll(own.Thresholds, own.Actions, own.SelfPrediction);
            }
        }

        return new CategoryRule(category, refuseAt, complyAt, actions[onRefuse], actions[onUncertain], actions[onComply], selfPrediction);

        void ApplyAll(ThresholdsDocument? thresholds, ZoneActionsDocument? zoneActions, SelfPredictionDocument? self)
        {
            refuseAt = thresholds?.Refuse ?? refuseAt;
            complyAt = thresholds?.Comply ?? complyAt;
            onRefuse = zoneActions?.Refuse ?? onRefuse;
            onUncertain = zoneActions?.Uncertain ?? onUncertain;
            onComply = zoneActions?.Comply ?? onComply;
            selfPrediction = Apply(selfPrediction, self);
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
