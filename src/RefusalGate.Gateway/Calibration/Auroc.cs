namespace RefusalGate.Gateway.Calibration;

/// <summary>
/// Area under the ROC curve: the probability that a random positive scores above a random negative, ties counting
/// one half (the Mann–Whitney U statistic over the two class sizes). Needs every score at once, so it is an offline
/// figure (<c>evaluate</c>), not one the summable <see cref="CalibrationCounts"/> can carry.
/// </summary>
public static class Auroc
{
    /// <summary>NaN when either class is missing: the ranking is then undefined, not perfect.</summary>
    public static double Of(IReadOnlyList<(double Score, bool Positive)> scored)
    {
        ArgumentNullException.ThrowIfNull(scored);
        var sorted = scored.OrderBy(s => s.Score).ToArray();
        long positives = 0;
        var rankSumOfPositives = 0.0;
        for (var start = 0; start < sorted.Length;)
        {
            // Tied scores share the mean of the ranks they span (ranks start at 1).
            var end = start;
            while (end < sorted.Length && sorted[end].Score == sorted[start].Score)
            {
                end++;
            }

            var midRank = (start + 1 + end) / 2.0;
            for (var i = start; i < end; i++)
            {
                if (sorted[i].Positive)
                {
                    positives++;
                    rankSumOfPositives += midRank;
                }
            }

            start = end;
        }

        var negatives = sorted.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        return (rankSumOfPositives - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}
