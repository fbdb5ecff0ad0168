using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using RefusalGate.Classification.Prediction;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.Recalibration;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Gate.Stages;

/// <summary>
/// Predicts, before the call, whether the model will refuse the request: runs the prompt classifier on the last user
/// message (recalibrated for the model when online recalibration has a calibrator for it) and reports the prediction in <c>x-refusalgate-prediction</c>, <c>-confidence</c> and <c>-category</c>,
/// and in <c>x-refusalgate-unread-content</c> what of that message it could not read (images, audio, files).
/// A classifier failure never blocks the request: it is logged and reported as <c>unavailable</c> (policies decide
/// fail-open or fail-closed on top of this).
/// </summary>
internal sealed partial class ClassificationStage(IPromptClassifier classifier, Recalibrator recalibrator, GatewayMetrics metrics, ILogger<ClassificationStage> logger) : IGateStage
{
    public const string PredictionHeader = "x-refusalgate-prediction";
    public const string ConfidenceHeader = "x-refusalgate-confidence";
    public const string CategoryHeader = "x-refusalgate-category";

    /// <summary>The kinds of content in the last user message the classifier could not read (<c>image</c>, <c>audio</c>, <c>file</c>, <c>other</c>).</summary>
    public const string UnreadContentHeader = "x-refusalgate-unread-content";

    public string Name => "classification";

    public int Order => IGateStage.Orders.Classification;

    public async ValueTask InvokeAsync(GateContext context, CancellationToken cancellationToken)
    {
        if (context.Request.LastUserUnread is not UnreadContent.None and var unread)
        {
            context.SetHeader(UnreadContentHeader, unread.ToHeaderValue());
            foreach (var kind in unread.Kinds())
            {
                metrics.UnreadContent(kind);
            }
        }

        var started = Stopwatch.GetTimestamp();
        PromptPrediction prediction;
        try
        {
            prediction = await classifier.ClassifyAsync(context.Request.LastUserMessage, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogClassifierFailed(context.RequestId, ex);
            context.SetHeader(PredictionHeader, "unavailable");
            return;
        }

        context.ClassifierDuration = Stopwatch.GetElapsedTime(started);
        metrics.ClassifierDuration(context.ClassifierDuration.Value);
        if (recalibrator.TryApply(context.Request.Model, prediction, out var recalibrated))
        {
            context.RawPrediction = prediction;
            prediction = recalibrated;
        }

        context.Prediction = prediction;
        context.SetHeader(PredictionHeader, prediction.PredictedRefusal ? "refuse" : "comply");
        context.SetHeader(ConfidenceHeader, prediction.Confidence.ToString("0.######", CultureInfo.InvariantCulture));
        context.SetHeader(CategoryHeader, prediction.TopCategory);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {RequestId}: the prompt classifier failed; forwarding without a prediction.")]
    private partial void LogClassifierFailed(string requestId, Exception exception);
}
