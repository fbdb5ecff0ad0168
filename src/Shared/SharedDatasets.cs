namespace RefusalGate.Shared;

/// <summary>
/// Where the public refusal datasets are, for the tests and benchmarks that read them: <c>REFUSALGATE_DATASETS</c> when
/// set, else <c>../shared/datasets</c> beside the repository (where CI puts them). The training scripts follow the same
/// rule (onnx-models/training/common/paths.py). A source file linked into each project that needs it; the product
/// itself never reads the datasets.
/// </summary>
internal static class SharedDatasets
{
    public const string EnvironmentVariable = "REFUSALGATE_DATASETS";

    /// <summary>A file under the datasets folder, e.g. <c>File(root, "chatgpt-refusals", "all_hand_labeled.json")</c>.</summary>
    public static string File(string repositoryRoot, params string[] relativePath)
    {
        var directory = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured
            ? configured
            : Path.Combine(repositoryRoot, "..", "shared", "datasets");
        return Path.GetFullPath(Path.Combine([directory, .. relativePath]));
    }
}
