namespace RefusalGate.Cli.Tests;

/// <summary>Tests that redirect <see cref="Console.Out"/> (a process-wide setting) run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleRedirection
{
    public const string Name = "console";
}
