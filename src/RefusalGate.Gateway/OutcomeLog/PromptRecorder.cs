using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace RefusalGate.Gateway.OutcomeLog;

/// <summary>
/// What of a prompt goes into its outcome record: always a salted hash (HMAC-SHA256 keyed by
/// <see cref="OutcomeLogOptions.PromptHashSalt"/>), so repeats can be grouped without the text being recoverable by
/// hashing guesses; the text itself only when <see cref="OutcomeLogOptions.StorePrompts"/> is on.
/// </summary>
public sealed partial class PromptRecorder
{
    private readonly byte[] _salt;
    private readonly OutcomeLogOptions _options;

    public PromptRecorder(IOptions<OutcomeLogOptions> options, ILogger<PromptRecorder> logger)
    {
        _options = options.Value;
        if (string.IsNullOrEmpty(_options.PromptHashSalt))
        {
            // A random salt still hides the text, but hashes then differ between replicas and restarts — which only
            // matters once records outlive the process, in Redis.
            _salt = RandomNumberGenerator.GetBytes(32);
            if (!string.IsNullOrWhiteSpace(_options.Redis))
            {
                LogRandomSalt(logger);
            }
        }
        else
        {
            _salt = Encoding.UTF8.GetBytes(_options.PromptHashSalt);
        }
    }

    /// <summary>Lower-case hex HMAC-SHA256 of the prompt's UTF-8 bytes.</summary>
    public string Hash(string prompt)
    {
        Span<byte> digest = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_salt, Encoding.UTF8.GetBytes(prompt), digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>The text to store: null unless configured, and at most <see cref="OutcomeLogOptions.MaxStoredPromptChars"/>.</summary>
    public StoredPrompt? Stored(string prompt) =>
        _options.StorePrompts ? StoredPrompt.Of(prompt, _options.MaxStoredPromptChars) : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outcome log: OutcomeLog:PromptHashSalt is not set; prompt hashes use a random salt and cannot be compared across replicas or restarts.")]
    private static partial void LogRandomSalt(ILogger logger);
}
