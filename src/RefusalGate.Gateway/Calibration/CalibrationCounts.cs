namespace RefusalGate.Gateway.Calibration;

/// <summary>
/// The sufficient statistics of predicted-versus-actual refusals for one (model, category): the confusion counts,
/// ten reliability bins of the predicted probability, the Brier sum and the high-confidence subset. Every figure in
/// <see cref="CalibrationFigures"/> is derived from these, so they can be summed across replicas.
/// </summary>
public sealed class CalibrationCounts
{
    public const int Bins = 10;

    public long Hits { get; internal set; }

    public long Misses { get; internal set; }

    public long FalseAlarms { get; internal set; }

    public long CorrectRejections { get; internal set; }

    public long[] BinCounts { get; } = new long[Bins];

    public double[] BinProbabilitySums { get; } = new double[Bins];

    public long[] BinRefusals { get; } = new long[Bins];

    public double BrierSum { get; internal set; }

    public long HighConfidenceCount { get; internal set; }

    public long HighConfidenceCorrect { get; internal set; }

    public long Total => Hits + Misses + FalseAlarms + CorrectRejections;

    /// <summary>Adds another set of counts to this one (counts are sums, so tables from slices or replicas add up).</summary>
    public void Merge(CalibrationCounts other)
    {
        Hits += other.Hits;
        Misses += other.Misses;
        FalseAlarms += other.FalseAlarms;
        CorrectRejections += other.CorrectRejections;
        for (var b = 0; b < Bins; b++)
        {
            BinCounts[b] += other.BinCounts[b];
            BinProbabilitySums[b] += other.BinProbabilitySums[b];
            BinRefusals[b] += other.BinRefusals[b];
        }

        BrierSum += other.BrierSum;
        HighConfidenceCount += other.HighConfidenceCount;
        HighConfidenceCorrect += other.HighConfidenceCorrect;
    }

    /// <summary>Counts one scored prediction (partial refusals count as refusals).</summary>
    /// <param name="highConfidenceThreshold">Confidence at or above which a prediction counts as high-confidence.</param>
    public void Add(CalibrationScore score, double highConfidenceThreshold)
    {
        var (refusalProbability, predictedRefusal, confidence, actualRefusal) = (score.RefusalProbability, score.PredictedRefusal, score.Confidence, score.ActualRefusal);
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
