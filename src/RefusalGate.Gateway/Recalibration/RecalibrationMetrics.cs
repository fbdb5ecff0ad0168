using System.Diagnostics.Metrics;
using RefusalGate.Gateway.Telemetry;

namespace RefusalGate.Gateway.Recalibration;

/// <summary>
/// What the last fit measured, per model: held-out ECE and Brier before (<c>stage="raw"</c>) and after
/// (<c>stage="recalibrated"</c>), whether the calibrator is applied, and the samples it was fitted on. Models are
/// bounded: only those with <see cref="RecalibrationOptions.MinSamples"/> among the newest samples are fitted.
/// </summary>
public sealed class RecalibrationMetrics
{
    public RecalibrationMetrics(IMeterFactory meterFactory, Recalibrator recalibrator)
    {
        var meter = meterFactory.Create(GatewayMetrics.MeterName + ".Recalibration");
        meter.CreateObservableGauge("refusalgate.recalibration.ece", () => Stages(recalibrator, f => (f.EceBefore, f.EceAfter)), "1",
            "Expected calibration error of the classifier on the held-out newest outcomes, raw and recalibrated.");
        meter.CreateObservableGauge("refusalgate.recalibration.brier", () => Stages(recalibrator, f => (f.BrierBefore, f.BrierAfter)), "1",
            "Brier score of the classifier on the held-out newest outcomes, raw and recalibrated.");
        meter.CreateObservableGauge("refusalgate.recalibration.applied", () => recalibrator.LastFits.Select(f => Measure(f.Applied ? 1 : 0, f.Model)), "1",
            "1 when the model's classifier probabilities are being recalibrated (the fit lowered held-out ECE).");
        meter.CreateObservableCounter("refusalgate.recalibration.outside_support", () => recalibrator.OutsideSupport.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("model", c.Key))), "{request}",
            "Predictions served with the classifier's own probability because the fit saw too few outcomes in their top category and tenth of probability.");
        meter.CreateObservableGauge("refusalgate.recalibration.samples", () => recalibrator.LastFits.Select(f => Measure(f.Samples, f.Model)), "{request}",
            "Logged outcomes the model's last fit used.");
    }

    private static IEnumerable<Measurement<double>> Stages(Recalibrator recalibrator, Func<RecalibrationFit, (double Raw, double Recalibrated)> figure) =>
        recalibrator.LastFits.SelectMany(f =>
        {
            var (raw, recalibrated) = figure(f);
            return new[] { Measure(raw, f.Model, "raw"), Measure(recalibrated, f.Model, "recalibrated") };
        });

    private static Measurement<double> Measure(double value, string model, string? stage = null) =>
        stage is null
            ? new(value, new KeyValuePair<string, object?>("model", model))
            : new(value, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("stage", stage));
}
