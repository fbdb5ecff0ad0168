using System.Diagnostics;
using System.Text;

namespace RefusalGate.Cli.Tests.Processes;

/// <summary>
/// The built CLI (<c>refusalgate.dll</c> beside the test binaries) as a real child process: what a crash, a signal or
/// an environment variable does to it cannot be observed in-process without taking the test host down with it.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    // Generous: a start-up loads the ONNX models, which on 2 busy cores can take a while. Only a hang reaches it.
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromMinutes(3);

    private readonly Process _process;
    private readonly StringBuilder _stdoutSoFar = new();
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private CliProcess(Process process)
    {
        _process = process;
        _stdout = ReadStdoutAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static CliProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        // Through env(1), which execs dotnet in its own process (the id stays the one Interrupt signals) with SIGINT at its
        // default action, as in a terminal's foreground job. Ignored signals are inherited: a test run started with `&`
        // by a non-interactive shell (a CI step, a script) ignores SIGINT down to this child, and the .NET runtime keeps
        // an ignored SIGINT ignored, so Interrupt would do nothing and the child would run to its end.
        var start = new ProcessStartInfo("env")
        {
            // The repository root, so the models are found as from a checkout.
            WorkingDirectory = RepositoryPaths.Root(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "refusalgate.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new CliProcess(Process.Start(start)!);
    }

    /// <summary>Runs the CLI to its end.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(environment, args);
        return await process.WaitAsync();
    }

    public async Task<(int ExitCode, string Stdout, string Stderr)> WaitAsync()
    {
        using var timeout = new CancellationTokenSource(ExitTimeout);
        await _process.WaitForExitAsync(timeout.Token);
        return (_process.ExitCode, await _stdout, await _stderr);
    }

    /// <summary>
    /// The first line of standard output that satisfies <paramref name="predicate"/>, as soon as it is written (a server
    /// prints its banner and keeps running); null when the process ends without one.
    /// </summary>
    public async Task<string?> WaitForStdoutLineAsync(Func<string, bool> predicate)
    {
        using var timeout = new CancellationTokenSource(ExitTimeout);
        while (!timeout.IsCancellationRequested)
        {
            var ended = _stdout.IsCompleted;
            string[] lines;
            lock (_stdoutSoFar)
            {
                lines = _stdoutSoFar.ToString().Split('\n');
            }

            // The last piece may be a line still being written.
            if (lines.SkipLast(ended ? 0 : 1).FirstOrDefault(predicate) is { } line)
            {
                return line.TrimEnd('\r');
            }

            if (ended)
            {
                return null;
            }

            await Task.Delay(50, timeout.Token);
        }

        return null;
    }

    /// <summary>What Ctrl-C in a terminal sends.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        kill.ExitCode.ShouldBe(0);
    }

    private async Task<string> ReadStdoutAsync()
    {
        var buffer = new char[4096];
        int read;
        while ((read = await _process.StandardOutput.ReadAsync(buffer)) > 0)
        {
            lock (_stdoutSoFar)
            {
                _stdoutSoFar.Append(buffer, 0, read);
            }
        }

        lock (_stdoutSoFar)
        {
            return _stdoutSoFar.ToString();
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
