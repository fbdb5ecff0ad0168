using System.Text.Json;
using System.Text.Json.Serialization;

namespace RefusalGate.Detection.Tests;

/// <summary>onnx-models/detector/test-vectors.json: what the python trainer computed for fixed texts.</summary>
public sealed record DetectorTestVector(
    [property: JsonPropertyName("response")] string Response,
    [property: JsonPropertyName("first")] string First,
    [property: JsonPropertyName("rest")] string Rest,
    [property: JsonPropertyName("cues")] float[] Cues,
    [property: JsonPropertyName("kind_probabilities")] float[] KindProbabilities,
    [property: JsonPropertyName("refusal_probability")] float RefusalProbability,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("reason")] string? Reason)
{
    public override string ToString() => Response.Length <= 60 ? Response : Response[..60] + "…";
}

internal sealed record DetectorTestVectorFile(
    [property: JsonPropertyName("threshold")] float Threshold,
    [property: JsonPropertyName("vectors")] IReadOnlyList<DetectorTestVector> Vectors);

public static class DetectorTestVectors
{
    private static readonly Lazy<IReadOnlyList<DetectorTestVector>> Loaded = new(() =>
        JsonSerializer.Deserialize<DetectorTestVectorFile>(File.ReadAllText(RepositoryFiles.TestVectorsPath))!.Vectors);

    public static IReadOnlyList<DetectorTestVector> All => Loaded.Value;

    public static TheoryData<int> Indexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < All.Count; i++)
        {
            data.Add(i);
        }

        return data;
    }
}
