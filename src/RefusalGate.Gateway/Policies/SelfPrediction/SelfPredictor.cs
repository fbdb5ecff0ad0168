using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RefusalGate.Gateway.Policies.Model;

namespace RefusalGate.Gateway.Policies.SelfPrediction;

/// <summary>
/// The cascade's second opinion: asks the model to predict its own refusal, through the verdict cache and the tenant's
/// budget, within the policy's timeout. Never throws for upstream trouble: the result says what happened and the policy's
/// fail mode decides. Shadow predictions run beside the request, bounded in number.
/// </summary>
public sealed partial class SelfPredictor(
    IntrospectionClient client,
    VerdictCache cache,
    TenantBudgets budgets,
    PolicyMetrics metrics,
    ILogger<SelfPredictor> logger) : IDisposable
{
    /// <summary>At most this many shadow self-predictions in flight; beyond it they are skipped and counted.</summary>
    public const int MaxShadowInFlight = 64;

    private readonly SemaphoreSlim _shadowSlots = new(MaxShadowInFlight, MaxShadowInFlight);

    /// <summary>Asks inline (the request waits, at most the policy's timeout).</summary>
    public Task<SelfPredictionResult> PredictAsync(SelfPredictionRequest request, SelfPredictionSettings settings, string tenant, CancellationToken cancellationToken) =>
        PredictAsync(request, settings, tenant, "band", cancellationToken);

    /// <summary>Starts a prediction that does not delay the request; null when too many are already running.</summary>
    public Task<SelfPredictionResult>? StartShadow(SelfPredictionRequest request, SelfPredictionSettings settings, string tenant, string mode)
    {
        if (!_shadowSlots.Wait(0))
        {
            metrics.SelfPrediction(mode, "overloaded", cached: false, callDuration: null);
            return null;
        }

        return RunShadowAsync();

        async Task<SelfPredictionResult> RunShadowAsync()
        {
            try
            {
                // Off the request's thread and its cancellation: the client may be long gone when the model answers.
                await Task.Yield();
                return await PredictAsync(request, settings, tenant, mode, CancellationToken.None);
            }
            finally
            {
                _shadowSlots.Release();
            }
        }
    }

    private async Task<SelfPredictionResult> PredictAsync(SelfPredictionRequest request, SelfPredictionSettings settings, string tenant, string mode, CancellationToken cancellationToken)
    {
        if (cache.TryGet(request.Model, request.Prompt, out var cached))
        {
            var hit = new SelfPredictionResult(SelfPredictionStatus.Answered, cached, TimeSpan.Zero, FromCache: true);
            metrics.SelfPrediction(mode, hit.WireName, cached: true, callDuration: null);
            return hit;
        }

        if (!budgets.TryTake(tenant, settings.BudgetPerMinute))
        {
            metrics.SelfPrediction(mode, "budget_exhausted", cached: false, callDuration: null);
            return SelfPredictionResult.Skipped(SelfPredictionStatus.BudgetExhausted);
        }

        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        SelfPredictionResult result;
        try
        {
            var answer = await client.AskAsync(request, settings, timeout.Token);
            result = SelfVerdictParser.TryParse(answer, out var p)
                ? new SelfPredictionResult(SelfPredictionStatus.Answered, p, Stopwatch.GetElapsedTime(started), FromCache: false)
                : new SelfPredictionResult(SelfPredictionStatus.Unparseable, null, Stopwatch.GetElapsedTime(started), FromCache: false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result = new SelfPredictionResult(SelfPredictionStatus.Timeout, null, Stopwatch.GetElapsedTime(started), FromCache: false);
        }
        catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException or InvalidOperationException or IOException)
        {
            LogCallFailed(request.RequestId, request.Upstream, ex.GetType().Name, ex.Message);
            result = new SelfPredictionResult(SelfPredictionStatus.Failed, null, Stopwatch.GetElapsedTime(started), FromCache: false);
        }

        if (result.HasVerdict)
        {
            cache.Set(request.Model, request.Prompt, result.RefusalProbability!.Value, settings.CacheTtl);
        }

        metrics.SelfPrediction(mode, result.WireName, cached: false, result.Duration);
        return result;
    }

    public void Dispose() => _shadowSlots.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId}: the self-prediction call to upstream {Upstream} failed ({ExceptionType}: {Reason}).")]
    private partial void LogCallFailed(string requestId, string upstream, string exceptionType, string reason);
}
