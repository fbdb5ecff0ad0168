namespace RefusalGate.Inference.Encoding;

/// <summary>Turns text into a fixed-size, L2-normalised embedding.</summary>
public interface ISentenceEncoder
{
    int Dimension { get; }

    ValueTask<float[]> EncodeAsync(string text, CancellationToken cancellationToken);

    ValueTask<float[][]> EncodeBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken);
}
