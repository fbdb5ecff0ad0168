using System.Diagnostics;

namespace RefusalGate.FunctionalTests.Infrastructure;

/// <summary>Prometheus' own checker (Debian's prometheus package, installed by the test setup).</summary>
internal static class Promtool
{
    /// <summary>Empty when <c>promtool check metrics</c> accepts the exposition; otherwise its complaints.</summary>
    public static async Task<string> CheckMetricsAsync(string metrics)
    {
        using var promtool = Process.Start(new ProcessStartInfo("promtool", "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        await promtool.StandardInput.WriteAsync(metrics);
        promtool.StandardInput.Close();
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        return promtool.ExitCode == 0 ? output.Trim() : $"exit {promtool.ExitCode}: {output}";
    }
}
