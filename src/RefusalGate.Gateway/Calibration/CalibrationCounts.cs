namespace RefusalGate.Gateway.Calibration;

/// <summary>
/// The sufficient statistics of predicted-versus-actual refusals for one (model, category): the confusion counts,
/// ten reliability bins of the predicted probability, the Brier sum and the high-confidence subset. Every figure in
/// <see cref="CalibrationFigures"/> is derived from these, so they can be summed across replicas.
/// </summary>
public sealed class CalibrationCounts
{
    public const int Bins = 10;

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    public long FalseAlarms { get; private set; }

    public long CorrectRejections { get; private set; }

    public long[] BinCounts { get; } = new long[Bins];

    public double[] BinProbabilitySums { get; } = new double[Bins];

    public long[] BinRefusals { get; } = new long[Bins];

    public double BrierSum { get; private set; }

    public long HighConfidenceCount { get; private set; }

    public long HighConfidenceCorrect { get; private set; }

    public long Total => Hits + Misses + FalseAlarms + CorrectRejections;

    /// <param name="refusalProbability">The predicted probability of refusal.</param>
    /// <param name="predictedRefusal">The prediction at the classifier's own threshold.</param>
    /// <param name="confidence">The probability of the predicted class.</param>
    /// <param name="actualRefusal">Whether the model actually refused (partial refusals count).</param>
    /// <param name="highConfidenceThreshold">Confidence at or above which a prediction counts as high-confidence.</param>
    public void Add(double refusalProbability, bool predictedRefusal, double confidence, bool actualRefusal, double highConfidenceThreshold)
    {
        var p = Math.Clamp(refusalProbability, 0, 1);
        switch (predictedRefusal, actualRefusal)
        {
            case (true, true): Hits++; break;
            case (false, true): Misses++; break;
            case (true, false): FalseAlarms++; break;
            default: CorrectRejections++; break;
        }

        var bin = Math.Min((int)(p * Bins), Bins - 1);
        BinCounts[bin]++;
        BinProbabilitySums[bin] += p;
        BinRefusals[bin] += actualRefusal ? 1 : 0;
        var outcome = actualRefusal ? 1.0 : 0.0;
        BrierSum += (p - outcome) * (p - outcome);
        if (confidence >= highConfidenceThreshold)
        {
            HighConfidenceCount++;
            HighConfidenceCorrect += predictedRefusal == actualRefusal ? 1 : 0;
        }
    }
}
