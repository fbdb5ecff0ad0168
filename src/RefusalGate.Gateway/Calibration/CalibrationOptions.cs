namespace RefusalGate.Gateway.Calibration;

/// <summary>The <c>Calibration</c> section.</summary>
public sealed class CalibrationOptions
{
    public const string SectionName = "Calibration";

    /// <summary>Confidence (probability of the predicted class) at or above which a prediction is "high-confidence".</summary>
    public double HighConfidenceThreshold { get; set; } = 0.9;

    /// <summary>Distinct model names tracked with their own label; further models are reported as <c>other</c>.</summary>
    public int MaxModels { get; set; } = 50;
}
