using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RefusalGate.Inference.Runtime;

/// <summary>
/// Creates <see cref="OnnxRuntimeSession"/>s and keeps one per model file for the process lifetime,
/// so every component using a model shares its weights and thread pool.
/// </summary>
public sealed class OnnxRuntimeSessionFactory : IInferenceSessionFactory, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<IInferenceSession>> _sessions = new(StringComparer.Ordinal);
    private readonly InferenceSessionSettings _settings;
    private readonly ILogger<OnnxRuntimeSession> _logger;

    public OnnxRuntimeSessionFactory(InferenceSessionSettings settings, ILogger<OnnxRuntimeSession> logger)
    {
        _settings = settings;
        _logger = logger;
    }

    public IInferenceSession GetOrCreate(string modelPath, string buildHint, int? intraOpThreads = null)
    {
        var key = Path.GetFullPath(modelPath);
        var settings = intraOpThreads is { } threads ? _settings with { IntraOpThreads = threads } : _settings;
        var lazy = _sessions.GetOrAdd(key, path => new Lazy<IInferenceSession>(
            () => new OnnxRuntimeSession(path, settings, _logger, buildHint), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Let a later call retry, e.g. after the model has been built.
            _sessions.TryRemove(new KeyValuePair<string, Lazy<IInferenceSession>>(key, lazy));
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var lazy in _sessions.Values)
        {
            if (lazy.IsValueCreated)
            {
                lazy.Value.Dispose();
            }
        }

        _sessions.Clear();
    }
}
