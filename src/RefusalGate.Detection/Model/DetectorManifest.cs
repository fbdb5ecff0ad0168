using System.Text.Json;
using System.Text.Json.Serialization;

namespace RefusalGate.Detection.Model;

/// <summary>onnx-models/detector/manifest.json as written by onnx-models/training/detector/train.py.</summary>
internal sealed record DetectorManifest(
    [property: JsonPropertyName("encoder")] string Encoder,
    [property: JsonPropertyName("head")] DetectorManifestHead Head,
    [property: JsonPropertyName("cueFeatures")] IReadOnlyList<string> CueFeatures,
    [property: JsonPropertyName("lexicalCues")] string LexicalCues,
    [property: JsonPropertyName("kinds")] IReadOnlyList<string> Kinds,
    [property: JsonPropertyName("decisionThreshold")] float DecisionThreshold,
    [property: JsonPropertyName("text")] DetectorManifestText Text)
{
    public static DetectorManifest Parse(string json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<DetectorManifest>(json)
                ?? throw new DetectorModelException($"{path} is empty.");
        }
        catch (JsonException exception)
        {
            throw new DetectorModelException($"{path} is not a valid detector manifest ({exception.Message}). Rebuild it with onnx-models/training/detector/train.sh.", exception);
        }
    }
}

internal sealed record DetectorManifestHead(
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("sha256")] string Sha256);

internal sealed record DetectorManifestText(
    [property: JsonPropertyName("maxChars")] int MaxChars,
    [property: JsonPropertyName("apostrophes")] IReadOnlyList<string> Apostrophes,
    [property: JsonPropertyName("whitespace")] IReadOnlyList<string> Whitespace,
    [property: JsonPropertyName("firstSentence")] DetectorManifestFirstSentence FirstSentence,
    [property: JsonPropertyName("openingChars")] int OpeningChars);

internal sealed record DetectorManifestFirstSentence(
    [property: JsonPropertyName("minChars")] int MinChars,
    [property: JsonPropertyName("maxChars")] int MaxChars);
