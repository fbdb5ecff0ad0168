namespace RefusalGate.Classification.Tests;

/// <summary>Locates the committed model files from the test's output folder.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ClassifierManifest => Path.Combine(Root, "onnx-models", "classifier", "manifest.json");

    public static string ClassifierDirectory => Path.Combine(Root, "onnx-models", "classifier");

    public static string EncoderDirectory => Path.Combine(Root, "onnx-models", "encoder");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RefusalGate.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("RefusalGate.sln not found above " + AppContext.BaseDirectory);
    }
}
