using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RefusalGate.Detection;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.OutcomeLog;
using RefusalGate.Gateway.Policies.Model;

namespace RefusalGate.Gateway.Observation;

/// <summary>
/// Turns a captured response into a <see cref="RequestOutcome"/>: the defined outcome for errors, tool calls, provider
/// content filters, empty and unreadable bodies, and otherwise the refusal detector's verdict on the text.
/// </summary>
internal sealed partial class OutcomeJudge(IResponseRefusalDetector detector, PromptRecorder prompts, TimeProvider time, ILogger<OutcomeJudge> logger)
{
    public async ValueTask<RequestOutcome> JudgeAsync(PendingObservation pending, CancellationToken cancellationToken)
    {
        var gate = pending.Gate;
        var captured = pending.StatusCode < 400 && !gate.IsAnswered && pending.Judge ? Capture(pending) : null;
        var completed = !pending.Aborted && (captured?.Completed ?? true);

        ObservedKind kind;
        RefusalDetection? detection = null;
        TimeSpan? detectorDuration = null;
        if (gate.IsAnswered)
        {
            kind = ObservedKind.NotForwarded;
        }
        else if (pending.StatusCode == PendingObservation.ClientClosedRequest)
        {
            kind = ObservedKind.NotJudged;
        }
        else if (pending.StatusCode >= 400)
        {
            kind = ObservedKind.UpstreamError;
        }
        else if (!pending.Judge)
        {
            kind = ObservedKind.NotJudged;
        }
        else if (captured is null)
        {
            kind = ObservedKind.UpstreamError;
        }
        else if (captured.FinishReason == "content_filter")
        {
            kind = ObservedKind.ContentFilter;
        }
        else if (captured.HasError)
        {
            // A 200 that carries the provider's error object (whole, or as an event mid-stream): nothing to judge.
            kind = ObservedKind.UpstreamError;
        }
        else if (string.IsNullOrWhiteSpace(captured.Text))
        {
            // No text from an answer that broke off (the client left, the upstream cut it) says nothing about what the
            // model would have written: not "empty", which calibration scores as answered.
            kind = captured.HasToolCalls ? ObservedKind.ToolCall
                : captured.Malformed ? ObservedKind.Unreadable
                : !completed ? ObservedKind.NotJudged
                : ObservedKind.Empty;
        }
        else
        {
            var started = Stopwatch.GetTimestamp();
            detection = await detector.DetectAsync(captured.Text, gate.LastUserMessage, cancellationToken);
            detectorDuration = Stopwatch.GetElapsedTime(started);
            kind = detection.Kind switch
            {
                RefusalKind.FullRefusal => ObservedKind.FullRefusal,
                RefusalKind.PartialRefusal => ObservedKind.PartialRefusal,
                _ => ObservedKind.Compliance,
            };
        }

        var policy = gate.Policy;
        var shadowSelfPrediction = policy.ShadowSelfPrediction is { } shadow ? await shadow.WaitAsync(cancellationToken) : null;
        return new RequestOutcome
        {
            RequestId = gate.RequestId,
            Timestamp = time.GetUtcNow(),
            Upstream = gate.Upstream,
            Model = gate.Model,
            Endpoint = gate.Endpoint.ToWireName(),
            UnreadContent = gate.LastUserUnread == UnreadContent.None ? null : gate.LastUserUnread.ToHeaderValue(),
            Stream = gate.Stream,
            Decision = gate.Decision,
            Tenant = policy.Tenant,
            PolicyCategory = policy.Category,
            Zone = policy.Zone?.ToWireName(),
            PolicyAction = policy.Action,
            ShadowOf = policy.ShadowOf,
            FailMode = policy.FailMode,
            SelfPrediction = policy.SelfPrediction ?? shadowSelfPrediction,
            SelfPredictionShadow = policy.SelfPrediction is null && shadowSelfPrediction is not null,
            FusedProbability = policy.FusedProbability,
            Prediction = gate.Prediction,
            RawPrediction = gate.RawPrediction,
            PromptHash = prompts.Hash(gate.LastUserMessage),
            Prompt = prompts.Stored(gate.LastUserMessage),
            StatusCode = pending.StatusCode,
            Observed = kind,
            RefusalProbability = kind == ObservedKind.ContentFilter ? 1f : detection?.RefusalProbability,
            RefusalReason = kind == ObservedKind.ContentFilter ? "content_filter" : detection?.Reason,
            Completed = completed,
            Truncated = pending.Copy.Truncated,
            GateDuration = gate.GateDuration,
            ClassifierDuration = gate.ClassifierDuration,
            UpstreamDuration = pending.UpstreamDuration,
            DetectorDuration = detectorDuration,
            PromptTokens = captured?.PromptTokens,
            CompletionTokens = captured?.CompletionTokens,
        };
    }

    /// <summary>The copy, read; a body the extractor cannot cope with is unreadable, and the request is still recorded.</summary>
    private CapturedResponse Capture(PendingObservation pending)
    {
        try
        {
            return pending.Copy.Read();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnreadable(pending.Gate.RequestId, ex.GetType().Name);
            return new CapturedResponse("", null, false, Completed: true, pending.Copy.Truncated, Malformed: true, null, null);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: the response could not be read ({Error}); recorded as unreadable.")]
    private partial void LogUnreadable(string requestId, string error);
}
