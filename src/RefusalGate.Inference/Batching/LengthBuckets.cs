namespace RefusalGate.Inference.Batching;

/// <summary>
/// Length classes a micro-batch is split by (e.g. 16/32/64/128): rows of one bucket share a run, which is
/// padded to its longest row and so never wider than the bucket. Padding waste stays bounded, and warm-up
/// runs every bucket's width so the runtime's buffers are sized before traffic.
/// </summary>
public sealed class LengthBuckets
{
    public LengthBuckets(IEnumerable<int> lengths, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        var sorted = lengths.Distinct().Order().ToArray();
        if (sorted.Length == 0 || sorted[0] < 1)
        {
            throw new ArgumentException("Length buckets must be positive and at least one must be given.", nameof(lengths));
        }

        if (sorted[^1] != maxLength)
        {
            throw new ArgumentException($"The largest length bucket must be the model's window, {maxLength}; got {sorted[^1]}.", nameof(lengths));
        }

        Lengths = sorted;
    }

    public IReadOnlyList<int> Lengths { get; }

    /// <summary>The smallest bucket that holds <paramref name="length"/> tokens.</summary>
    public int BucketFor(int length)
    {
        foreach (var bucket in Lengths)
        {
            if (length <= bucket)
            {
                return bucket;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(length), length, $"Longer than the largest bucket ({Lengths[^1]}).");
    }
}
