using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace RefusalGate.Gateway.Policies.SelfPrediction;

/// <summary>
/// Remembers the model's verdicts so a repeated prompt does not cost another call: keyed by the model and a SHA-256 of
/// the normalised prompt (Unicode NFKC, lower case, whitespace collapsed; the text itself is not kept), bounded in
/// entries, each living for the policy's TTL.
/// </summary>
public sealed class VerdictCache : IDisposable
{
    public const int MaxEntries = 10_000;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries });

    public bool TryGet(string model, string prompt, out double refusalProbability) =>
        _cache.TryGetValue(Key(model, prompt), out refusalProbability);

    public void Set(string model, string prompt, double refusalProbability, TimeSpan ttl)
    {
        if (ttl > TimeSpan.Zero)
        {
            _cache.Set(Key(model, prompt), refusalProbability, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = ttl });
        }
    }

    public static string Key(string model, string prompt)
    {
        var normalized = string.Join(' ', prompt.Normalize(NormalizationForm.FormKC).ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return model.ToLowerInvariant() + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
    }

    public void Dispose() => _cache.Dispose();
}
