namespace RefusalGate.Gateway.Recalibration;

/// <summary>How the classifier's probabilities are mapped onto a model's observed refusal rates.</summary>
public enum RecalibrationMethod
{
    /// <summary>Logistic regression on the logit of the probability: two parameters, smooth, safe on little data.</summary>
    Platt,

    /// <summary>Pool-adjacent-violators step function: any monotone shape, needs more data.</summary>
    Isotonic,
}

/// <summary>The <c>Recalibration</c> section: online recalibration of the classifier from the logged outcomes.</summary>
public sealed class RecalibrationOptions
{
    public const string SectionName = "Recalibration";

    /// <summary>Off by default: a fresh deployment has no outcomes to learn from.</summary>
    public bool Enabled { get; set; }

    public RecalibrationMethod Method { get; set; } = RecalibrationMethod.Platt;

    /// <summary>How often calibrators are refitted from the newest outcomes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most recent scored outcomes a fit reads (over all models).</summary>
    public int MaxSamples { get; set; } = 20_000;

    /// <summary>Scored outcomes a model needs before it gets its own calibrator.</summary>
    public int MinSamples { get; set; } = 500;

    /// <summary>Scored outcomes a (model, top category) needs before it gets a calibrator of its own rather than the model's.</summary>
    public int MinCategorySamples { get; set; } = 300;

    /// <summary>
    /// Logged outcomes with the same top category and tenth of probability a prediction needs in the fit before it is
    /// recalibrated; below that it keeps the classifier's probability. Outcomes exist only for forwarded requests, so
    /// without this a calibrator fitted on the rest of the traffic would also move prompts a policy always answers
    /// itself. 0 recalibrates everywhere.
    /// </summary>
    public int MinSupportSamples { get; set; } = 20;

    /// <summary>Newest share of the samples kept out of the fit to measure ECE before and after; a calibrator that does not lower it is not applied.</summary>
    public double HoldoutFraction { get; set; } = 0.3;
}
