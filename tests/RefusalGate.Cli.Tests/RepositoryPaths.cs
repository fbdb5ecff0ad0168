namespace RefusalGate.Cli.Tests;

/// <summary>The repository the test binaries were built from (found by <c>RefusalGate.sln</c>).</summary>
internal static class RepositoryPaths
{
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RefusalGate.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("RefusalGate.sln not found above the test binaries.");
    }
}
