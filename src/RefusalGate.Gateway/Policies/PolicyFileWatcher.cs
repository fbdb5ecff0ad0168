using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RefusalGate.Gateway.Policies;

/// <summary>
/// Reloads the policies when their directory changes. It watches the directory itself (not single files) because a
/// Kubernetes ConfigMap update swaps a <c>..data</c> symlink rather than writing the files; changes are debounced, and a
/// periodic re-read covers file systems whose events get lost. Unchanged content is not reloaded (see <see cref="PolicyStore"/>).
/// Nothing here ends the loop but the host stopping: a reload never throws (a failure is counted by the store), and a
/// directory that cannot be watched (gone, or the system's inotify limits reached) is re-read every poll interval
/// while watching it is tried again, each time.
/// </summary>
internal sealed partial class PolicyFileWatcher(PolicyStore store, IOptions<PolicyOptions> options, ILogger<PolicyFileWatcher> logger) : BackgroundService
{
    private readonly PolicyOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Watch || store.Directory is not { Length: > 0 } directory)
        {
            return;
        }

        var changed = new SemaphoreSlim(0);
        FileSystemWatcher? watcher = null;
        var warned = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (watcher is null)
                {
                    watcher = Watch(directory, changed, out var failure);
                    if (watcher is not null)
                    {
                        // A change made after the last read and before watching began raised no event: read once more
                        // (unchanged files are not reloaded). Without this, a file written right after start-up
                        // waited for the next poll.
                        changed.Release();
                    }

                    if (watcher is null && !warned)
                    {
                        LogCannotWatch(directory, _options.PollInterval, failure!);
                        warned = true;
                    }
                    else if (watcher is not null && warned)
                    {
                        LogWatching(directory);
                        warned = false;
                    }
                }

                try
                {
                    await changed.WaitAsync(_options.PollInterval, stoppingToken);

                    // Debounce: wait until the burst of events of one update is over, then read once.
                    while (await changed.WaitAsync(_options.ReloadDelay, stoppingToken))
                    {
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                store.Reload();
                if (!Directory.Exists(directory))
                {
                    // A watcher whose directory was deleted hears nothing from one created again under the same name
                    // (inotify watches the deleted one): start over, and watch the new one once it is there.
                    watcher?.Dispose();
                    watcher = null;
                }
            }
        }
        finally
        {
            watcher?.Dispose();
        }
    }

    /// <summary>A running watcher on <paramref name="directory"/>, or null (and why) when the system refuses one.</summary>
    private static FileSystemWatcher? Watch(string directory, SemaphoreSlim changed, out string? failure)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = true,
            };
            FileSystemEventHandler onChange = (_, _) => changed.Release();
            watcher.Changed += onChange;
            watcher.Created += onChange;
            watcher.Deleted += onChange;
            watcher.Renamed += (_, _) => changed.Release();
            watcher.Error += (_, _) => changed.Release();
            watcher.EnableRaisingEvents = true;
            failure = null;
            return watcher;
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // ArgumentException: the directory does not exist (any more); IOException: e.g. the inotify instance limit.
            watcher?.Dispose();
            failure = ex.Message;
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot watch the policy directory {Directory} ({Reason}); it is re-read every {PollInterval} instead, and watching is tried again each time.")]
    private partial void LogCannotWatch(string directory, TimeSpan pollInterval, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching the policy directory {Directory} again.")]
    private partial void LogWatching(string directory);
}
