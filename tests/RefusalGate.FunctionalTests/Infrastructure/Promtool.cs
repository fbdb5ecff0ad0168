using System.Diagnostics;

namespace RefusalGate.FunctionalTests.Infrastructure;

/// <summary>Prometheus' own checker (Debian's prometheus package, installed by the test setup).</summary>
internal static class Promtool
{
    /// <summary>Empty when <c>promtool check metrics</c> accepts the exposition; otherwise its complaints.</summary>
    public static async Task<string> CheckMetricsAsync(string metrics)
    {
        var (exitCode, output) = await RunAsync(Environment.CurrentDirectory, metrics, "check", "metrics");
        return exitCode == 0 ? output.Trim() : $"exit {exitCode}: {output}";
    }

    /// <summary>Runs promtool with <paramref name="arguments"/> in <paramref name="directory"/>; its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string directory, string? input, params string[] arguments)
    {
        var start = new ProcessStartInfo("promtool")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var promtool = Process.Start(start)!;
        await promtool.StandardInput.WriteAsync(input ?? "");
        promtool.StandardInput.Close();
        var stdout = promtool.StandardOutput.ReadToEndAsync();
        var stderr = promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        return (promtool.ExitCode, await stdout + await stderr);
    }
}
