using RefusalGate.Inference.Batching;

namespace RefusalGate.Inference.Tests.Batching;

public sealed class LengthBucketsTests
{
    [Theory]
    [InlineData(1, 16)]
    [InlineData(16, 16)]
    [InlineData(17, 32)]
    [InlineData(64, 64)]
    [InlineData(65, 128)]
    [InlineData(128, 128)]
    public void Picks_the_smallest_bucket_that_fits(int length, int bucket) =>
        new LengthBuckets([128, 16, 64, 32], 128).BucketFor(length).ShouldBe(bucket);

    [Fact]
    public void Rejects_buckets_that_do_not_end_at_the_model_window() =>
        Should.Throw<ArgumentException>(() => new LengthBuckets([16, 64], 128));

    [Fact]
    public void Rejects_lengths_beyond_the_last_bucket() =>
        Should.Throw<ArgumentOutOfRangeException>(() => new LengthBuckets([16, 128], 128).BucketFor(129));
}
