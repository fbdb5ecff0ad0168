namespace RefusalGate.Gateway.Calibration;

/// <summary>The <c>Calibration</c> section.</summary>
public sealed class CalibrationOptions
{
    public const string SectionName = "Calibration";

    /// <summary>Confidence (probability of the predicted class) at or above which a prediction is "high-confidence".</summary>
    public double HighConfidenceThreshold { get; set; } = 0.9;

    /// <summary>Distinct model names tracked with their own label; further models are reported as <c>other</c>.</summary>
    public int MaxModels { get; set; } = 50;

    /// <summary>Length of the sliding window behind the <c>window="recent"</c> gauges; zero turns them off.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}
