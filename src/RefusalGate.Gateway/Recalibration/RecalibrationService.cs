using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RefusalGate.Gateway.Recalibration;

/// <summary>
/// Refits the calibrators on a schedule. Per model with enough outcomes: fit on the older samples, measure ECE and
/// Brier raw and recalibrated on the newest <see cref="RecalibrationOptions.HoldoutFraction"/>, and apply a
/// calibrator (refitted on all samples) only if it lowered the held-out ECE — a model whose classifier is already
/// calibrated keeps its raw probabilities. Categories with enough outcomes get calibrators of their own.
/// </summary>
internal sealed partial class RecalibrationService(
    RecalibrationSamples samples,
    Recalibrator recalibrator,
    IOptions<RecalibrationOptions> options,
    ILogger<RecalibrationService> logger) : BackgroundService
{
    private readonly RecalibrationOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval);
        do
        {
            try
            {
                await FitAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Redis away, stalled (its client then cancels: a TaskCanceledException that is not ours) or a bad
                // record: keep the calibrators in use and try again next time. Only our own shutdown ends the loop.
                LogFitFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One refit of every model from the newest logged outcomes; returns what it found.</summary>
    public async Task<IReadOnlyList<RecalibrationFit>> FitAsync()
    {
        var installed = new Dictionary<string, ModelCalibrators>(StringComparer.Ordinal);
        var fits = new List<RecalibrationFit>();
        foreach (var model in (await samples.ReadAsync()).GroupBy(s => s.Model, StringComparer.Ordinal))
        {
            var logged = model.ToList();
            if (logged.Count < _options.MinSamples)
            {
                continue;
            }

            var holdoutStart = (int)(logged.Count * (1 - _options.HoldoutFraction));
            var held = logged[holdoutStart..].Select(s => s.Sample).ToList();
            var trial = Fit(logged[..holdoutStart]);
            var heldServed = Served(trial, logged[holdoutStart..]);
            var fit = new RecalibrationFit(
                model.Key,
                logged.Count,
                trial.Categories.Count,
                CalibratorFitter.ExpectedCalibrationError(held),
                CalibratorFitter.ExpectedCalibrationError(heldServed),
                CalibratorFitter.Brier(held),
                CalibratorFitter.Brier(heldServed),
                Applied: false);
            fit = fit with { Applied = fit.EceAfter < fit.EceBefore };
            if (fit.Applied)
            {
                installed[model.Key] = Fit(logged);
            }

            fits.Add(fit);
            LogFit(model.Key, logged.Count, fit.EceBefore, fit.EceAfter, fit.Applied);
        }

        recalibrator.Install(installed, fits);
        return fits;
    }

    private ModelCalibrators Fit(IReadOnlyList<LoggedPrediction> logged)
    {
        var categories = logged
            .GroupBy(s => s.Category, StringComparer.Ordinal)
            .Where(g => g.Count() >= _options.MinCategorySamples)
            .ToDictionary(g => g.Key, g => CalibratorFitter.Fit(_options.Method, [.. g.Select(s => s.Sample)]), StringComparer.Ordinal);
        return new ModelCalibrators(
            CalibratorFitter.Fit(_options.Method, [.. logged.Select(s => s.Sample)]), categories, CalibrationSupport.Of(logged), _options.MinSupportSamples);
    }

    /// <summary>
    /// The samples with the probability each would have been served: its category's calibrator, else the model's, or
    /// its own where the fit had too little support — so the held-out check measures what would really be served.
    /// </summary>
    private static List<CalibrationSample> Served(ModelCalibrators calibrators, IEnumerable<LoggedPrediction> logged) =>
        [.. logged.Select(s => s.Sample with { Probability = calibrators.For(s.Category, s.Sample.Probability)?.Apply(s.Sample.Probability) ?? s.Sample.Probability })];

    [LoggerMessage(Level = LogLevel.Information, Message = "Recalibration of {Model} on {Samples} outcomes: held-out ECE {EceBefore:0.0000} raw, {EceAfter:0.0000} recalibrated; applied: {Applied}.")]
    private partial void LogFit(string model, int samples, double eceBefore, double eceAfter, bool applied);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recalibration: reading the logged outcomes failed; the current calibrators stay in use.")]
    private partial void LogFitFailed(Exception exception);
}
