using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace RefusalGate.Gateway.Policies.Tenancy;

/// <summary>
/// Who is calling: the tenant named by a configured header, or the tenant whose API key (by its SHA-256, so policy
/// files never hold keys) the client presents. The header wins when both are configured and present. Tenant names from
/// headers are client-controlled, so only names the policies know are reported in metrics (<see cref="Label"/>).
/// </summary>
public sealed class TenantResolver
{
    public const string Unknown = "unknown";
    public const string None = "none";

    private readonly string? _header;
    private readonly FrozenDictionary<string, string> _tenantsByKeyHash;
    private readonly FrozenSet<string> _known;

    public TenantResolver(string? header, IReadOnlyDictionary<string, string> tenantsByKeyHash, IEnumerable<string> knownTenants)
    {
        _header = header;
        _tenantsByKeyHash = tenantsByKeyHash.ToFrozenDictionary(kv => kv.Key.ToLowerInvariant(), kv => kv.Value, StringComparer.Ordinal);
        _known = knownTenants.Concat(tenantsByKeyHash.Values).ToFrozenSet(StringComparer.Ordinal);
    }

    public static TenantResolver Empty { get; } = new(null, new Dictionary<string, string>(), []);

    /// <summary>The tenant of the request, or null when tenants are not configured or the request names none.</summary>
    public string? Resolve(HttpRequest request)
    {
        if (_header is not null && request.Headers[_header] is { Count: > 0 } named && !string.IsNullOrWhiteSpace(named[0]))
        {
            return named[0]!.Trim();
        }

        if (_tenantsByKeyHash.Count > 0 && BearerToken(request) is { } key)
        {
            return _tenantsByKeyHash.GetValueOrDefault(KeyHash(key));
        }

        return null;
    }

    /// <summary>
    /// Whether any request can be recognised as <paramref name="tenant"/>: with a header every name can be sent, with API
    /// keys only the tenants they map to, with neither no request has a tenant (so an override for one never applies).
    /// </summary>
    public bool CanRecognise(string tenant) => _header is not null || _tenantsByKeyHash.Values.Contains(tenant, StringComparer.Ordinal);

    /// <summary>A bounded label: the tenant if the policies name it, <c>unknown</c> for others, <c>none</c> without one.</summary>
    public string Label(string? tenant) => tenant is null ? None : _known.Contains(tenant) ? tenant : Unknown;

    /// <summary>The hex SHA-256 of an API key, as written in <c>tenants.apiKeys[].sha256</c>.</summary>
    public static string KeyHash(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    private static string? BearerToken(HttpRequest request)
    {
        var authorization = request.Headers[HeaderNames.Authorization].ToString();
        const string Bearer = "Bearer ";
        return authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) ? authorization[Bearer.Length..].Trim() : null;
    }
}
