using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace RefusalGate.Gateway.OutcomeLog;

/// <summary>
/// The one Redis connection of the gateway (the outcome writer and the recalibration reader share it), opened on first
/// use and kept: the multiplexer reconnects by itself, so a Redis that is down at start-up is not fatal.
/// </summary>
public sealed class RedisConnection(IOptions<OutcomeLogOptions> options) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.Redis);

    public async Task<IDatabase> GetDatabaseAsync()
    {
        if (_multiplexer is null)
        {
            await _connecting.WaitAsync();
            try
            {
                if (_multiplexer is null)
                {
                    var configuration = ConfigurationOptions.Parse(options.Value.Redis ?? throw new InvalidOperationException("OutcomeLog:Redis is not configured."));
                    configuration.AbortOnConnectFail = false;
                    configuration.ConnectTimeout = 2000;
                    configuration.AsyncTimeout = 2000;
                    configuration.SyncTimeout = 2000;
                    _multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration);
                }
            }
            finally
            {
                _connecting.Release();
            }
        }

        return _multiplexer.GetDatabase();
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.CloseAsync();
            _multiplexer.Dispose();
        }

        _connecting.Dispose();
    }
}
