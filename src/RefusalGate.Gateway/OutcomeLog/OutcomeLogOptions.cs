namespace RefusalGate.Gateway.OutcomeLog;

/// <summary>The <c>OutcomeLog</c> section: where request outcomes are written, and how hard the writer tries.</summary>
public sealed class OutcomeLogOptions
{
    public const string SectionName = "OutcomeLog";

    /// <summary>StackExchange.Redis configuration, e.g. <c>127.0.0.1:6379</c>. Empty: outcomes stay in memory only.</summary>
    public string? Redis { get; set; }

    /// <summary>The Redis Stream outcomes are appended to.</summary>
    public string StreamKey { get; set; } = "refusalgate:outcomes";

    /// <summary>Approximate bound of the stream (<c>XADD MAXLEN ~</c>): old records are trimmed beyond it.</summary>
    public int MaxStreamLength { get; set; } = 1_000_000;

    /// <summary>Records held in process while Redis is slow or down; beyond it new records are dropped and counted.</summary>
    public int BufferCapacity { get; set; } = 16_384;

    /// <summary>Most records written in one pipelined batch.</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>Longest a record waits for its batch to fill before it is written.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between reconnection attempts (backoff doubles up to this).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Prefix of the Redis hashes holding the shared calibration counts (updated in the same transaction as the stream).</summary>
    public string AggregateKeyPrefix { get; set; } = "refusalgate:calibration";

    /// <summary>Store the prompt (the last user message) in each record. Off by default: only its salted hash is stored.</summary>
    public bool StorePrompts { get; set; }

    /// <summary>Longest prompt text stored when <see cref="StorePrompts"/> is on; longer prompts are cut.</summary>
    public int MaxStoredPromptChars { get; set; } = 8_000;

    /// <summary>
    /// Key of the prompt hash (HMAC-SHA256). Set it (from a secret) to the same value on every replica so that
    /// hashes can be compared; unset, each process uses a random one.
    /// </summary>
    public string? PromptHashSalt { get; set; }
}
