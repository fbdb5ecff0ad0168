namespace RefusalGate.Inference.Tests.Support;

/// <summary>Locates the repository (the folder holding RefusalGate.sln) and the built encoder files.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RefusalGate.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RefusalGate.sln not found above " + AppContext.BaseDirectory);
    });

    public static string RepositoryRoot => Root.Value;

    /// <summary>onnx-models/encoder, where onnx-models/build/build-encoder.sh puts use-lite.onnx and its vocabulary.</summary>
    public static string EncoderDirectory => Path.Combine(RepositoryRoot, "onnx-models", "encoder");

    public static string TestData(string fileName) => Path.Combine(AppContext.BaseDirectory, "TestData", fileName);
}
