using System.Text.Json.Serialization;

namespace RefusalGate.Classification.Manifest;

/// <summary>
/// The head's second input: the embedding of the prompt's tail, where role-play and jailbreak wrappers usually put the
/// actual request (see <see cref="Text.PromptTail"/>). Absent in manifests of single-input heads.
/// </summary>
public sealed class ClassifierManifestTail
{
    [JsonPropertyName("input")]
    public string Input { get; init; } = "tail_embedding";

    /// <summary>The tail is at most this many code points of the end of the prompt.</summary>
    [JsonPropertyName("chars")]
    public int Chars { get; init; } = 300;

    /// <summary>The tail starts after the first space within this many code points, so that no word is cut.</summary>
    [JsonPropertyName("word_window")]
    public int WordWindow { get; init; } = 40;
}
