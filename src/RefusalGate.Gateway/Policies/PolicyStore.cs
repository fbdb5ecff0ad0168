using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RefusalGate.Classification.Manifest;
using RefusalGate.Gateway.Policies.Loading;
using RefusalGate.Gateway.Policies.Model;
using RefusalGate.Gateway.Proxy;

namespace RefusalGate.Gateway.Policies;

/// <summary>
/// Holds the policy set in force. The first load happens at start-up and an invalid policy stops the gateway there
/// (with every error, file:line:column); later reloads that fail keep the last good set, log why and count the failure.
/// Reading <see cref="Current"/> is a single volatile read on the request path.
/// </summary>
public sealed partial class PolicyStore
{
    private readonly PolicyOptions _options;
    private readonly PolicyLoadContext _context;
    private readonly PolicyMetrics _metrics;
    private readonly ILogger<PolicyStore> _logger;
    private readonly Func<PolicyLoadResult> _load;
    private readonly Lock _reloadLock = new();
    private volatile PolicySet _current;
    private string _fingerprint;
    private bool _lastReloadFailed;

    // What the last failed reload read and found (files and errors): the same failure met again at the next poll is
    // not logged and counted again, so one bad change is one failure, not one every poll interval.
    private string? _lastFailure;

    public PolicyStore(IOptions<PolicyOptions> options, UpstreamCatalog upstreams, LoadedClassifierManifest manifest, PolicyMetrics metrics, ILogger<PolicyStore> logger)
        : this(options.Value, new PolicyLoadContext(manifest.Manifest.Categories, [.. upstreams.Upstreams.Keys]), metrics, logger, load: null)
    {
    }

    /// <param name="load">
    /// Replaces reading the directory; for tests of a failure no file can cause any more (a fault in the loader itself),
    /// which a reload must survive all the same.
    /// </param>
    internal PolicyStore(PolicyOptions options, PolicyLoadContext context, PolicyMetrics metrics, ILogger<PolicyStore> logger, Func<PolicyLoadResult>? load)
    {
        _options = options;
        _context = context;
        _metrics = metrics;
        _logger = logger;
        _load = load ?? LoadDirectory;
        var result = _load();
        if (result.Policies is null)
        {
            throw new PolicyLoadException(result.Errors);
        }

        _current = result.Policies;
        _fingerprint = result.Fingerprint;
        LogLoaded(Describe(result.Policies), result.Policies.OverrideCount);
        metrics.Reloaded(succeeded: true, installed: true);
    }

    public PolicySet Current => _current;

    public string? Directory => _options.Directory;

    /// <summary>
    /// Re-reads the files; returns false (and keeps the current set) when they are invalid. Unchanged files are not
    /// reloaded. Never throws: whatever goes wrong is a failed reload, counted and logged, so the watcher goes on.
    /// </summary>
    public bool Reload()
    {
        lock (_reloadLock)
        {
            PolicyLoadResult result;
            try
            {
                result = _load();
            }
            catch (Exception ex)
            {
                // The loader turns every problem of a file into a diagnostic; reaching this is a fault in the loader. It
                // must not end hot reloading (nor, through the host's StopHost, the gateway): the next change is read again.
                LogReloadFault(ex);
                RecordReload(succeeded: false, installed: false);
                return false;
            }

            if (result.Policies is null)
            {
                var errors = string.Join(Environment.NewLine, result.Errors);
                var failure = result.Fingerprint + "\n" + errors;
                if (_lastReloadFailed && failure == _lastFailure)
                {
                    return false;
                }

                _lastFailure = failure;
                LogReloadFailed(result.Errors.Count, errors);
                RecordReload(succeeded: false, installed: false);
                return false;
            }

            if (result.Policies.Files.Count == 0 && _current.Files.Count > 0)
            {
                // Every file is gone (a deleted file, an emptied ConfigMap): falling back to the built-in defaults would
                // quietly turn a strict policy off, so the last good one stays until files return or the gateway restarts.
                const string allGone = "no policy files";
                if (_lastReloadFailed && _lastFailure == allGone)
                {
                    return false;
                }

                _lastFailure = allGone;
                LogAllFilesGone(Describe(_current));
                RecordReload(succeeded: false, installed: false);
                return false;
            }

            if (result.Fingerprint == _fingerprint)
            {
                if (_lastReloadFailed)
                {
                    // The bad change was undone: the files are valid again and the policy in force is already theirs.
                    LogRestored(Describe(_current));
                    RecordReload(succeeded: true, installed: false);
                }

                return true;
            }

            _current = result.Policies;
            _fingerprint = result.Fingerprint;
            LogLoaded(Describe(result.Policies), result.Policies.OverrideCount);
            RecordReload(succeeded: true, installed: true);
            return true;
        }
    }

    /// <summary>
    /// Called after the log line: whoever sees the metrics change (an alert, a test) finds the reason already logged.
    /// </summary>
    private void RecordReload(bool succeeded, bool installed)
    {
        _lastReloadFailed = !succeeded;
        if (succeeded)
        {
            _lastFailure = null;
        }

        _metrics.Reloaded(succeeded, installed);
    }

    private PolicyLoadResult LoadDirectory() => _options.Directory is { Length: > 0 } directory
        ? PolicyLoader.LoadDirectory(directory, _context)
        : PolicyLoader.Load([], _context);

    private static string Describe(PolicySet set) => set.Files.Count == 0 ? "built-in defaults (no policy files)" : string.Join(", ", set.Files);

    [LoggerMessage(Level = LogLevel.Information, Message = "Policies loaded from {Files} ({Overrides} overrides).")]
    private partial void LogLoaded(string files, int overrides);

    [LoggerMessage(Level = LogLevel.Error, Message = "Policy reload failed with {Count} error(s); the last good policy stays in force:\n{Errors}")]
    private partial void LogReloadFailed(int count, string errors);

    [LoggerMessage(Level = LogLevel.Error, Message = "Policy reload failed on an unexpected error; the last good policy stays in force and the next change is read again.")]
    private partial void LogReloadFault(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Policy reload: the policy directory has no policy files any more; the last good policy ({Files}) stays in force. Restore the files, or restart the gateway to use the built-in defaults.")]
    private partial void LogAllFilesGone(string files);

    [LoggerMessage(Level = LogLevel.Information, Message = "Policy files are valid again; the policy in force ({Files}) is unchanged.")]
    private partial void LogRestored(string files);
}

/// <summary>The policy files are invalid at start-up; the message lists every error with its position.</summary>
public sealed class PolicyLoadException(IReadOnlyList<PolicyDiagnostic> errors)
    : Exception($"The policy files are invalid ({errors.Count} error(s)); fix them or run `./refusalgate policy check`:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}")
{
    public IReadOnlyList<PolicyDiagnostic> Errors { get; } = errors;
}
