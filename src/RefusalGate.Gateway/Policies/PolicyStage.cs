using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using RefusalGate.Classification.Prediction;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.Policies.Actions;
using RefusalGate.Gateway.Policies.Model;
using RefusalGate.Gateway.Policies.SelfPrediction;

namespace RefusalGate.Gateway.Policies;

/// <summary>
/// Acts on the prediction. Finds the policy for the request's tenant, upstream and model; takes the rule of the most
/// likely harm category; places the refusal probability in a zone; in the uncertain band asks the model itself (when
/// the rule says so) and fuses both predictions; then applies the zone's action. Failures follow the fail mode.
/// </summary>
internal sealed partial class PolicyStage(
    PolicyStore store,
    SelfPredictor selfPredictor,
    PredictionFusion fusion,
    PolicyMetrics metrics,
    ILogger<PolicyStage> logger) : IGateStage
{
    public const string ZoneHeader = "x-refusalgate-zone";
    public const string SelfPredictionHeader = "x-refusalgate-self-prediction";
    public const string SelfConfidenceHeader = "x-refusalgate-self-confidence";

    /// <summary>
    /// Whether the verdict was reused from the verdict cache. Its key folds case and whitespace, so a request can get
    /// the verdict given to another wording of its prompt; without this header nothing in the response would say so.
    /// </summary>
    public const string SelfCachedHeader = "x-refusalgate-self-cached";
    public const string FusedProbabilityHeader = "x-refusalgate-fused-probability";

    /// <summary>What fail-open does without a prediction; not looked up by name, since a policy may redefine "allow".</summary>
    private static readonly AllowAction FailOpen = new(AllowAction.TypeName);

    /// <summary>Below this, no category is "most likely" in any useful sense and the fallback rule applies.</summary>
    private const float MinCategoryProbability = 0.01f;

    public string Name => "policy";

    public int Order => IGateStage.Orders.Policy;

    public async ValueTask InvokeAsync(GateContext context, CancellationToken cancellationToken)
    {
        var set = store.Current;
        var trace = context.Policy;
        var tenant = set.Tenants.Resolve(context.HttpContext.Request);
        trace.Tenant = set.Tenants.Label(tenant);
        var policy = set.Resolve(tenant, context.Upstream, context.Request.Model);

        if (context.Prediction is not { } prediction)
        {
            // The classifier failed: there is nothing to place in a zone.
            Fail(context, policy, policy.Fallback, "classifier", FailOpen);
            return;
        }

        var rule = policy.RuleFor(CategoryOf(prediction));
        var probability = (double)prediction.RefusalProbability;
        var unread = policy.UnreadContent == UnreadContentRule.Uncertain ? context.Request.LastUserUnread : UnreadContent.None;
        var zone = rule.ZoneOf(probability);
        var self = rule.SelfPrediction;
        if (zone == PolicyZone.Comply && unread != UnreadContent.None)
        {
            // The text alone would be answered, but the classifier did not see the image (or audio, or file) that came
            // with it, and the model's self-prediction would be asked about the same text: uncertain, without asking.
            Apply(context, rule.ActionFor(PolicyZone.Uncertain), PolicyZone.Uncertain, rule.Category, probability);
            return;
        }

        if (zone == PolicyZone.Uncertain && self.Mode == SelfPredictionMode.Band)
        {
            var result = await selfPredictor.PredictAsync(SelfPredictionRequestOf(context), self, trace.Tenant, cancellationToken);
            trace.SelfPrediction = result;
            ReportSelfPrediction(context, result);
            if (result.HasVerdict)
            {
                probability = fusion.Combine(context.Request.Model, probability, result.RefusalProbability!.Value, policy.Fusion);
                trace.FusedProbability = probability;
                context.SetHeader(FusedProbabilityHeader, probability.ToString("0.###", CultureInfo.InvariantCulture));
                zone = rule.ZoneOf(probability);
                if (zone == PolicyZone.Comply && unread != UnreadContent.None)
                {
                    zone = PolicyZone.Uncertain; // the model, too, read only the text
                }
            }
            else if (result.IsFailure)
            {
                LogSelfPredictionFailed(context.RequestId, result.WireName, policy.FailMode);
                Fail(context, policy, rule, "self_prediction", rule.ActionFor(PolicyZone.Uncertain));
                return;
            }
        }
        else if (ShouldShadow(self, zone))
        {
            trace.ShadowSelfPrediction = selfPredictor.StartShadow(
                SelfPredictionRequestOf(context), self, trace.Tenant, zone == PolicyZone.Uncertain ? "shadow" : "sample");
        }

        Apply(context, rule.ActionFor(zone), zone, rule.Category, probability);
    }

    /// <summary>
    /// Applies the fail mode after <paramref name="stage"/> failed: closed takes the policy's fail action; open takes
    /// <paramref name="openAction"/>.
    /// </summary>
    private void Fail(GateContext context, EffectivePolicy policy, CategoryRule rule, string stage, IPolicyAction openAction)
    {
        var mode = policy.FailMode == FailMode.Closed ? "closed" : "open";
        context.Policy.FailMode = mode;
        metrics.FailEvent(stage, mode);
        var action = policy.FailMode == FailMode.Closed ? policy.FailAction : openAction;
        Apply(context, action, PolicyZone.Uncertain, rule.Category, context.Prediction?.RefusalProbability ?? 0.5);
    }

    private void Apply(GateContext context, IPolicyAction action, PolicyZone zone, string category, double probability)
    {
        var trace = context.Policy;
        trace.Zone = zone;
        trace.Category = category;
        trace.Action = action.Name;
        context.SetHeader(ZoneHeader, zone.ToWireName());
        action.Apply(context, new PolicyDecision(zone, category, probability));
        metrics.Decision(action.Type, zone.ToWireName(), category, trace.Tenant);
    }

    private static bool ShouldShadow(SelfPredictionSettings self, PolicyZone zone) =>
        self.Mode != SelfPredictionMode.Off
        && (zone == PolicyZone.Uncertain
            ? self.Mode == SelfPredictionMode.Shadow
            : self.SampleRate > 0 && Random.Shared.NextDouble() < self.SampleRate);

    private static void ReportSelfPrediction(GateContext context, SelfPredictionResult result)
    {
        context.SetHeader(SelfPredictionHeader, result.WireName);
        context.SetHeader(SelfCachedHeader, result.FromCache ? "true" : "false");
        if (result.Confidence is { } confidence)
        {
            context.SetHeader(SelfConfidenceHeader, confidence.ToString("0.###", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// The category whose rule applies: the classifier's top category when it predicts a refusal, otherwise the most
    /// likely harm category all the same (a borderline self-harm prompt should meet the self-harm rule's band).
    /// </summary>
    internal static string CategoryOf(PromptPrediction prediction)
    {
        if (prediction.TopCategory != PromptPredictionFactory.NoCategory)
        {
            return prediction.TopCategory;
        }

        var best = PolicyLayers.FallbackCategory;
        var bestProbability = MinCategoryProbability;
        foreach (var (category, probability) in prediction.Categories)
        {
            if (probability > bestProbability)
            {
                (best, bestProbability) = (category, probability);
            }
        }

        return best;
    }

    private static SelfPredictionRequest SelfPredictionRequestOf(GateContext context)
    {
        var headers = context.HttpContext.Request.Headers;
        var clientHeaders = new List<KeyValuePair<string, string>>();
        foreach (var name in IntrospectionClient.ClientHeaderNames)
        {
            if (headers[name].ToString() is { Length: > 0 } value)
            {
                clientHeaders.Add(new(name, value));
            }
        }

        return new(
            context.RequestId,
            context.Upstream,
            context.Request.Model,
            context.Request.LastUserMessage,
            clientHeaders,
            context.Request.TargetsReasoningModel);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: self-prediction gave no verdict ({Result}); failing {FailMode}.")]
    private partial void LogSelfPredictionFailed(string requestId, string result, FailMode failMode);
}
