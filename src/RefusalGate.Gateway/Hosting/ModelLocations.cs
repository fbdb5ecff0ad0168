namespace RefusalGate.Gateway.Hosting;

/// <summary>
/// Finds the <c>onnx-models</c> folder so the gateway works from any working directory: <c>REFUSALGATE_MODELS</c> when
/// set (containers set it), else the nearest <c>onnx-models</c> above the working directory or the program.
/// </summary>
public static class ModelLocations
{
    public const string EnvironmentVariable = "REFUSALGATE_MODELS";

    public static string? FindModelsDirectory()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "onnx-models");
                if (Directory.Exists(Path.Combine(candidate, "encoder")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Default model paths (lowest-priority configuration) under the models folder.</summary>
    public static Dictionary<string, string?> DefaultSettings(string modelsDirectory)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Inference:ModelDirectory"] = Path.Combine(modelsDirectory, "encoder"),
            ["Classifier:ManifestPath"] = Path.Combine(modelsDirectory, "classifier", "manifest.json"),
            ["Detector:ModelDirectory"] = Path.Combine(modelsDirectory, "detector"),
        };

        // The shipped policies live beside the models, in the repository and in the container image alike.
        var policies = Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(modelsDirectory)) ?? ".", "policies");
        if (Directory.Exists(policies))
        {
            settings["Policies:Directory"] = policies;
        }

        return settings;
    }
}
