using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RefusalGate.FunctionalTests.Infrastructure;
using RefusalGate.Gateway.Policies;
using RefusalGate.Gateway.Policies.Loading;
using RefusalGate.Gateway.Policies.Model;

namespace RefusalGate.FunctionalTests.Policies;

/// <summary>
/// Whatever appears in the policy directory of a running gateway, a reload ends (no file can hold it), its failure is
/// counted and logged, the last good policy stays in force, and the next change is read: hot reloading never stops and
/// never stops the gateway.
/// </summary>
public sealed class PolicyReloadRobustnessTests : IDisposable
{
    private const string Block = "version: 1\npolicy:\n  thresholds: { refuse: 0, comply: 0 }\n  actions: { refuse: block }\n";
    private const string Allow = "version: 1\npolicy:\n  thresholds: { refuse: 0, comply: 0 }\n  actions: { refuse: allow }\n";

    private readonly string _directory = Directory.CreateTempSubdirectory("refusalgate-policies-").FullName;
    private readonly LogCollector _logs = new();

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_named_pipe_in_the_directory_is_a_failed_reload_and_reloading_goes_on()
    {
        var policy = Path.Combine(_directory, "policy.yaml");
        await File.WriteAllTextAsync(policy, Block);
        await using var gateway = await StartAsync();
        var pipe = Path.Combine(_directory, "pipe.yaml");
        try
        {
            Run("mkfifo", pipe);
            await PolicyReloads.WaitUntilAsync(async () => await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed) == "1");
            ReloadErrors().ShouldContain(m => m.Contains($"{pipe}: Not read: this is a named pipe (FIFO)"));
            (await gateway.Http.PostChatAsync("Hello there")).Header("x-refusalgate-decision").ShouldBe("block");

            File.Delete(pipe);
            await File.WriteAllTextAsync(policy, Allow);
            await PolicyReloads.WaitUntilAsync(async () => (await gateway.Http.PostChatAsync("Hello there")).Header("x-refusalgate-decision") == "allow");
            (await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed)).ShouldBe("0");
        }
        finally
        {
            // Were a reload blocked in opening the pipe (as it once was), a writer lets it go so the gateway can stop.
            if (File.Exists(pipe))
            {
                Run("sh", "-c", $"exec 3<>'{pipe}'");
            }
        }
    }

    [Fact]
    public async Task A_file_nested_beyond_any_policy_is_a_failed_reload_not_a_crashed_process()
    {
        var policy = Path.Combine(_directory, "policy.yaml");
        await File.WriteAllTextAsync(policy, Block);
        await using var gateway = await StartAsync();

        // A few hundred kilobytes of brackets once overflowed the stack of the reloading thread, ending the process.
        await File.WriteAllTextAsync(Path.Combine(_directory, "deep.yaml"), "version: 1\nx: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
        await PolicyReloads.WaitUntilAsync(async () => await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed) == "1");
        ReloadErrors().ShouldContain(m => m.Contains("deep.yaml:2:35: YAML nested more than 32 levels deep"));
        (await gateway.Http.PostChatAsync("Hello there")).Header("x-refusalgate-decision").ShouldBe("block");

        File.Delete(Path.Combine(_directory, "deep.yaml"));
        await File.WriteAllTextAsync(policy, Allow);
        await PolicyReloads.WaitUntilAsync(async () => (await gateway.Http.PostChatAsync("Hello there")).Header("x-refusalgate-decision") == "allow");
    }

    [Fact]
    public async Task A_configmap_update_swaps_the_data_link_adds_and_removes_keys_and_every_state_loads()
    {
        // The kubelet's atomic writer: files in a timestamped directory, ..data a link to it, each key a link through
        // ..data; an update writes a new directory, swaps ..data by a rename, then adds links for new keys, removes
        // links of removed keys and deletes the old directory.
        WriteVersion("..2024_01_01_00_00_00.1", ("policy.yaml", Block));
        File.CreateSymbolicLink(Path.Combine(_directory, "..data"), "..2024_01_01_00_00_00.1");
        File.CreateSymbolicLink(Path.Combine(_directory, "policy.yaml"), "..data/policy.yaml");
        await using var gateway = await StartAsync();
        var store = (PolicyStore)gateway.Services.GetService(typeof(PolicyStore))!;

        WriteVersion("..2024_01_01_00_00_00.2", ("policy.yaml", Allow), ("actions.yaml", "version: 1\nactions:\n  quiet: { type: allow }\n"));
        Swap("..2024_01_01_00_00_00.1", "..2024_01_01_00_00_00.2");
        File.CreateSymbolicLink(Path.Combine(_directory, "actions.yaml"), "..data/actions.yaml");
        await PolicyReloads.WaitUntilAsync(() => Task.FromResult(store.Current.Actions.ContainsKey("quiet")));
        (await gateway.Http.PostChatAsync("Hello there")).Header("x-refusalgate-decision").ShouldBe("allow");

        WriteVersion("..2024_01_01_00_00_00.3", ("policy.yaml", Block));
        Swap("..2024_01_01_00_00_00.2", "..2024_01_01_00_00_00.3");
        File.Delete(Path.Combine(_directory, "actions.yaml"));
        await PolicyReloads.WaitUntilAsync(() => Task.FromResult(!store.Current.Actions.ContainsKey("quiet")));
        (await gateway.Http.PostChatAsync("Hello there")).Header("x-refusalgate-decision").ShouldBe("block");
        await PolicyReloads.WaitUntilAsync(async () => await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed) == "0");
    }

    [Fact]
    public async Task A_policy_directory_deleted_and_created_again_is_read_and_watched_again()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "policy.yaml"), Block);
        await using var gateway = await StartAsync(pollInterval: "00:00:00.500");

        Directory.Delete(_directory, recursive: true);
        await PolicyReloads.WaitUntilAsync(() => Task.FromResult(_logs.Entries.Any(e => e.Message.StartsWith($"Cannot watch the policy directory {_directory}", StringComparison.Ordinal))));
        await PolicyReloads.WaitUntilAsync(async () => await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed) == "1");

        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "policy.yaml"), Allow);
        await PolicyReloads.WaitUntilAsync(async () => (await gateway.Http.PostChatAsync("Hello there")).Header("x-refusalgate-decision") == "allow");
        await PolicyReloads.WaitUntilAsync(() => Task.FromResult(_logs.Entries.Any(e => e.Message == $"Watching the policy directory {_directory} again.")));
    }

    [Fact]
    public async Task A_change_made_before_watching_began_is_read_when_it_begins()
    {
        // The gateway's store loads at start-up; its watcher starts afterwards, on its own. Here the two are apart on
        // purpose: the file changes in between, when no watcher could raise an event, and the poll is 30 s away.
        var policy = Path.Combine(_directory, "policy.yaml");
        await File.WriteAllTextAsync(policy, Block);
        await using var gateway = await TestGateway.StartAsync(new() { ["Policies:Directory"] = _directory, ["Policies:Watch"] = "false" });
        var store = (PolicyStore)gateway.Services.GetService(typeof(PolicyStore))!;
        await File.WriteAllTextAsync(policy, Allow);

        var options = new PolicyOptions { Directory = _directory, ReloadDelay = TimeSpan.FromMilliseconds(50), PollInterval = TimeSpan.FromSeconds(30) };
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(_logs));
        using var watcher = new PolicyFileWatcher(store, Options.Create(options), loggers.CreateLogger<PolicyFileWatcher>());
        await watcher.StartAsync(CancellationToken.None);
        try
        {
            await PolicyReloads.WaitUntilAsync(async () => (await gateway.Http.PostChatAsync("Hello there")).Header("x-refusalgate-decision") == "allow");
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_fault_in_the_loader_itself_is_a_counted_failed_reload_and_watching_goes_on()
    {
        // No file is known to make the loader throw any more (each odd file above is a diagnostic), so the fault is
        // injected: the store's loader throws once, as a bug would, between two real loads of a real directory.
        // The gateway (its own policies untouched) lends its metrics, so /metrics shows what this store counts.
        await using var gateway = await TestGateway.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(_directory, "policy.yaml"), Block);
        var options = new PolicyOptions { Directory = _directory, ReloadDelay = TimeSpan.FromMilliseconds(50) };
        var context = new PolicyLoadContext(Categories: null, Upstreams: ["main", "strict", "dead"]);
        var loads = 0;
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(_logs));
        var store = new PolicyStore(options, context, (PolicyMetrics)gateway.Services.GetService(typeof(PolicyMetrics))!, loggers.CreateLogger<PolicyStore>(), load: () =>
            Interlocked.Increment(ref loads) == 2 ? throw new InvalidOperationException("a fault in the loader") : PolicyLoader.LoadDirectory(_directory, context));
        using var watcher = new PolicyFileWatcher(store, Options.Create(options), loggers.CreateLogger<PolicyFileWatcher>());
        await watcher.StartAsync(CancellationToken.None);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(_directory, "policy.yaml"), Allow);
            await PolicyReloads.WaitUntilAsync(async () => await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed) == "1");
            var fault = _logs.Entries.Where(e => e.Exception is InvalidOperationException { Message: "a fault in the loader" }).ShouldHaveSingleItem();
            fault.Level.ShouldBe(LogLevel.Error);
            fault.Message.ShouldBe("Policy reload failed on an unexpected error; the last good policy stays in force and the next change is read again.");
            (await PolicyReloads.SampleAsync(gateway, PolicyReloads.Failures)).ShouldBe("1");

            await File.WriteAllTextAsync(Path.Combine(_directory, "policy.yaml"), Allow + "  failMode: closed\n");
            await PolicyReloads.WaitUntilAsync(() => Task.FromResult(store.Current.Resolve(null, "main", "demo-model").FailMode == FailMode.Closed));
            watcher.ExecuteTask!.IsCompleted.ShouldBeFalse();
            (await PolicyReloads.SampleAsync(gateway, PolicyReloads.LastReloadFailed)).ShouldBe("0");
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    private Task<TestGateway> StartAsync(string pollInterval = "00:00:30") => TestGateway.StartAsync(
        new()
        {
            ["Policies:Directory"] = _directory,
            ["Policies:ReloadDelay"] = "00:00:00.050",
            ["Policies:PollInterval"] = pollInterval,
        },
        logs: _logs);

    /// <summary>The messages of failed reloads the gateway logged.</summary>
    private List<string> ReloadErrors() => [.. _logs.Entries.Where(e => e.Level == LogLevel.Error && e.Message.StartsWith("Policy reload failed", StringComparison.Ordinal)).Select(e => e.Message)];

    private void WriteVersion(string name, params (string File, string Text)[] files)
    {
        var version = Directory.CreateDirectory(Path.Combine(_directory, name)).FullName;
        foreach (var (file, text) in files)
        {
            File.WriteAllText(Path.Combine(version, file), text);
        }
    }

    private void Swap(string from, string to)
    {
        var staged = Path.Combine(_directory, "..data_tmp");
        File.CreateSymbolicLink(staged, to);
        Run("mv", "-T", staged, Path.Combine(_directory, "..data")); // rename(2) over the old link, as the kubelet does
        Directory.Delete(Path.Combine(_directory, from), recursive: true);
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, process.StandardError.ReadToEnd());
    }
}
