using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace RefusalGate.Gateway.Policies;

/// <summary>
/// Reloads the policies when their directory changes. It watches the directory itself (not single files) because a
/// Kubernetes ConfigMap update swaps a <c>..data</c> symlink rather than writing the files; changes are debounced, and a
/// periodic re-read covers file systems whose events get lost. Unchanged content is not reloaded (see <see cref="PolicyStore"/>).
/// </summary>
internal sealed class PolicyFileWatcher(PolicyStore store, IOptions<PolicyOptions> options) : BackgroundService
{
    private readonly PolicyOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Watch || store.Directory is not { Length: > 0 } directory || !System.IO.Directory.Exists(directory))
        {
            return;
        }

        var changed = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(directory)
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

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await changed.WaitAsync(_options.PollInterval, stoppingToken);

                // Debounce: wait until the burst of events of one update is over, then read once.
                while (await changed.WaitAsync(_options.ReloadDelay, stoppingToken))
                {
                }

                store.Reload();
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
