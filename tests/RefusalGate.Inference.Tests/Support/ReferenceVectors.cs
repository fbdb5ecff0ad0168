using System.Text.Json;

namespace RefusalGate.Inference.Tests.Support;

/// <summary>Test vectors made by onnx-models/build/make_test_vectors.py from the original JavaScript implementation.</summary>
internal static class ReferenceVectors
{
    public sealed record TokenizerVector(string Text, int[] Ids);

    public sealed record EmbeddingVector(string Text, int[]? Ids, float[] First8, double Norm, float[]? TfjsFull, string Origin);

    public static IReadOnlyList<TokenizerVector> Tokenizer() =>
        Read(RepoPaths.TestData("tokenizer-vectors.json"), e => new TokenizerVector(
            e.GetProperty("text").GetString()!, e.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray()));

    public static IReadOnlyList<EmbeddingVector> Embeddings() =>
        Read(RepoPaths.TestData("embedding-vectors.json"), e => new EmbeddingVector(
            e.GetProperty("text").GetString()!,
            e.TryGetProperty("ids", out var ids) ? ids.EnumerateArray().Select(i => i.GetInt32()).ToArray() : null,
            Floats(e.GetProperty("first8")),
            e.GetProperty("norm").GetDouble(),
            e.TryGetProperty("tfjs_full", out var full) ? Floats(full) : null,
            e.GetProperty("origin").GetString()!));

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    private static List<T> Read<T>(string path, Func<JsonElement, T> map)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("vectors").EnumerateArray().Select(map).ToList();
    }
}
