using System.Text.Json.Serialization;

namespace RefusalGate.Classification.Manifest;

/// <summary>Names of the head's outputs the classifier reads.</summary>
public sealed class ClassifierManifestOutputs
{
    [JsonPropertyName("refusal_probability")]
    public string RefusalProbability { get; init; } = "refusal_probability";

    [JsonPropertyName("category_probabilities")]
    public string CategoryProbabilities { get; init; } = "category_probabilities";
}
