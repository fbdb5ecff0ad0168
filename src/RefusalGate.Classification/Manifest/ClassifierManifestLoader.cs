using System.Security.Cryptography;
using System.Text.Json;

namespace RefusalGate.Classification.Manifest;

/// <summary>Reads and validates the classifier manifest, and verifies the head file's sha256 before it is loaded.</summary>
public static class ClassifierManifestLoader
{
    /// <summary>Told to the operator whenever the files are missing or do not match.</summary>
    public const string RebuildHint =
        "Restore onnx-models/classifier/ from git (the head is committed) or rebuild it with onnx-models/training/classifier/train.sh, which rewrites the head and the manifest together.";

    public static LoadedClassifierManifest Load(string manifestPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(manifestPath);
        var fullPath = Path.GetFullPath(manifestPath);
        if (!File.Exists(fullPath))
        {
            throw new ClassifierManifestException($"Classifier manifest '{fullPath}' does not exist. {RebuildHint}");
        }

        ClassifierManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ClassifierManifest>(File.ReadAllText(fullPath));
        }
        catch (JsonException ex)
        {
            throw new ClassifierManifestException($"Classifier manifest '{fullPath}' is not valid JSON ({ex.Message}). {RebuildHint}", ex);
        }

        if (manifest is null)
        {
            throw new ClassifierManifestException($"Classifier manifest '{fullPath}' is empty. {RebuildHint}");
        }

        Validate(fullPath, manifest);
        var headPath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(fullPath)!, manifest.Head));
        if (!File.Exists(headPath))
        {
            throw new ClassifierManifestException($"Classifier head '{headPath}' (named in '{fullPath}') does not exist. {RebuildHint}");
        }

        var actual = Sha256(headPath);
        if (!string.Equals(actual, manifest.HeadSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ClassifierManifestException(
                $"Classifier head '{headPath}' has sha256 {actual}, but '{fullPath}' expects {manifest.HeadSha256}: the file is corrupt or was changed without its manifest. {RebuildHint}");
        }

        return new LoadedClassifierManifest(fullPath, headPath, manifest);
    }

    private static void Validate(string path, ClassifierManifest manifest)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(manifest.Head))
        {
            problems.Add("'head' is missing");
        }

        if (manifest.HeadSha256.Length != 64)
        {
            problems.Add("'head_sha256' must be 64 hex characters");
        }

        if (manifest.Categories.Count == 0 || manifest.Categories.Any(string.IsNullOrWhiteSpace))
        {
            problems.Add("'categories' must list at least one non-empty id");
        }

        if (!(manifest.DecisionThreshold is >= 0f and <= 1f))
        {
            problems.Add("'decision_threshold' must be within [0, 1]");
        }

        if (string.IsNullOrWhiteSpace(manifest.EmbeddingInput)
            || string.IsNullOrWhiteSpace(manifest.Outputs.RefusalProbability)
            || string.IsNullOrWhiteSpace(manifest.Outputs.CategoryProbabilities))
        {
            problems.Add("'embedding_input' and both 'outputs' names are required");
        }

        if (manifest.Tail is { } tail && (string.IsNullOrWhiteSpace(tail.Input) || tail.Input == manifest.EmbeddingInput || tail.Chars < 1 || tail.WordWindow < 0))
        {
            problems.Add("'tail' needs an 'input' name other than 'embedding_input', 'chars' >= 1 and 'word_window' >= 0");
        }

        if (problems.Count > 0)
        {
            throw new ClassifierManifestException($"Classifier manifest '{path}' is invalid: {string.Join("; ", problems)}. {RebuildHint}");
        }
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
