using System.Text.Json.Serialization;

namespace RefusalGate.Classification.Manifest;

/// <summary>onnx-models/classifier/manifest.json: which head to load, its hash, its outputs and its decision rule.</summary>
public sealed class ClassifierManifest
{
    [JsonPropertyName("name")]
    public string Name { get; init; } = "";

    [JsonPropertyName("version")]
    public string Version { get; init; } = "";

    /// <summary>The encoder the head was trained on, relative to the manifest (informational: the encoder is loaded by RefusalGate.Inference).</summary>
    [JsonPropertyName("encoder")]
    public string Encoder { get; init; } = "";

    /// <summary>The head .onnx file, relative to the manifest.</summary>
    [JsonPropertyName("head")]
    public string Head { get; init; } = "";

    [JsonPropertyName("head_sha256")]
    public string HeadSha256 { get; init; } = "";

    [JsonPropertyName("embedding_input")]
    public string EmbeddingInput { get; init; } = "embedding";

    [JsonPropertyName("embedding_dimension")]
    public int EmbeddingDimension { get; init; } = 512;

    /// <summary>The second input (the prompt's tail), or null for a head that reads the whole prompt only.</summary>
    [JsonPropertyName("tail")]
    public ClassifierManifestTail? Tail { get; init; }

    [JsonPropertyName("outputs")]
    public ClassifierManifestOutputs Outputs { get; init; } = new();

    [JsonPropertyName("categories")]
    public IReadOnlyList<string> Categories { get; init; } = [];

    [JsonPropertyName("decision_threshold")]
    public float DecisionThreshold { get; init; } = 0.5f;

    [JsonPropertyName("trained_on")]
    public string TrainedOn { get; init; } = "";
}
