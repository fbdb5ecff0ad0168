namespace RefusalGate.Cli.Commands;

/// <summary>
/// A Redis configuration string (<c>HOST:PORT,password=...,...</c>) as the CLI may print it: the password replaced by
/// <c>***</c>. What <c>serve</c> and <c>report</c> print often ends up in logs (a pod's output, a CI job).
/// </summary>
internal static class RedisAddressText
{
    public static string Redacted(string configuration) =>
        string.Join(',', configuration.Split(',').Select(part => part.TrimStart().StartsWith("password=", StringComparison.OrdinalIgnoreCase) ? "password=***" : part));
}
