namespace RefusalGate.Inference.Encoding;

/// <summary>
/// The long-input strategy: which 128-token windows of a tokenized text the encoder runs.
/// </summary>
/// <remarks>
/// USE-lite reads at most 128 tokens; the original silently drops the rest. Here nothing is dropped
/// silently:
/// <list type="bullet">
/// <item>≤ 128 tokens: one window, the whole text (identical to the original model).</item>
/// <item>More: windows of 128 tokens every 96 tokens (32 tokens of overlap), the last one ending at the
/// last token.</item>
/// <item>If that needs more than <see cref="MaxWindows"/> (16) windows (≈ 1,568+ tokens, roughly 6,000+
/// characters of English), 16 windows are spread evenly from the first to the last token, so the start,
/// the end and evenly spaced parts of the middle are read; the gaps between them are not.</item>
/// </list>
/// The window embeddings are max-pooled per dimension and re-normalised to unit length, so a harmful
/// request buried anywhere a window reaches still shows. The Python side (onnx-models/build/use_lite_torch.py,
/// <c>long_input_windows</c>) computes the same windows, so heads are trained on identical features.
/// </remarks>
public static class LongInputWindows
{
    public const int WindowTokens = 128;
    public const int Stride = 96;
    public const int MaxWindows = 16;

    /// <summary>(Start, Length) of each window for a text of <paramref name="tokenCount"/> tokens.</summary>
    public static IReadOnlyList<(int Start, int Length)> Plan(int tokenCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokenCount);
        if (tokenCount <= WindowTokens)
        {
            return [(0, tokenCount)];
        }

        var lastStart = tokenCount - WindowTokens;
        var needed = ((lastStart + Stride - 1) / Stride) + 1;
        var windows = new (int, int)[Math.Min(needed, MaxWindows)];
        for (var i = 0; i < windows.Length; i++)
        {
            // Integer round-half-up, the same arithmetic as the Python port.
            var start = needed <= MaxWindows
                ? Math.Min(i * Stride, lastStart)
                : (int)(((2L * i * lastStart) + (MaxWindows - 1)) / (2L * (MaxWindows - 1)));
            windows[i] = (start, WindowTokens);
        }

        return windows;
    }
}
