namespace RefusalGate.Detection.Tests;

/// <summary>Finds the committed model files from the test's output folder (the tests run against the real files).</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string DetectorDirectory => Path.Combine(Root, "onnx-models", "detector");

    public static string TestVectorsPath => Path.Combine(DetectorDirectory, "test-vectors.json");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RefusalGate.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("RefusalGate.sln not found above " + AppContext.BaseDirectory);
    }
}
