namespace RefusalGate.FunctionalTests.Infrastructure;

/// <summary>
/// Tests that redirect <see cref="Console.Out"/> (a process-wide setting, e.g. to read a CLI command's output) run
/// alone, after the parallel ones, so no other test's output lands in theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleRedirection
{
    public const string Name = "console";
}
