namespace RefusalGate.Inference.Encoding;

/// <summary>Up to 128 token ids of one text: one encoder input row.</summary>
public readonly record struct TokenWindow(int[] Ids, int Start, int Length)
{
    public ReadOnlySpan<int> Span => Ids.AsSpan(Start, Length);
}
