using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.Gate;

/// <summary>
/// <c>Gateway:PassThrough</c> put in force: whether a request the gate does not judge is forwarded. A route is forwarded
/// when <c>Allow</c> is empty or one of its entries matches, and no <c>Deny</c> entry matches. The path is matched as
/// the completion routes are recognised, after <see cref="GatedRoutes.Normalise"/>, so no spelling a lenient upstream
/// reads as a refused route (<c>/v1//responses</c>, <c>/V1/Responses;x</c>) is forwarded.
/// </summary>
internal sealed class PassThroughRoutes
{
    private readonly PassThroughRoute[] _allow;
    private readonly PassThroughRoute[] _deny;

    public PassThroughRoutes(IOptions<GatewayOptions> options)
    {
        var passThrough = options.Value.PassThrough;
        _allow = [.. passThrough.Allow.Select(PassThroughRoute.Parse)];
        _deny = [.. passThrough.Deny.Select(PassThroughRoute.Parse)];
    }

    /// <summary>Neither list has an entry: every route is forwarded, as before the setting existed.</summary>
    public bool IsUnrestricted => _allow.Length == 0 && _deny.Length == 0;

    /// <summary>
    /// Whether a request the gate does not judge may be forwarded. Allocation-free when unrestricted, and when the path is
    /// spelt plainly (its own normal form); another spelling is normalised first.
    /// </summary>
    public bool Allows(string method, PathString path)
    {
        if (IsUnrestricted)
        {
            return true;
        }

        var value = path.Value ?? "/";
        var normal = GatedRoutes.IsNormal(value) ? value : GatedRoutes.Normalise(value);
        return (_allow.Length == 0 || AnyMatch(_allow, method, normal)) && !AnyMatch(_deny, method, normal);
    }

    private static bool AnyMatch(PassThroughRoute[] routes, string method, string normalPath)
    {
        foreach (var route in routes)
        {
            if (route.IsMatch(method, normalPath))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// One <c>Gateway:PassThrough</c> entry: <c>METHOD /path-glob</c>. The method is an HTTP method (any case; <c>GET</c>
/// covers <c>HEAD</c>, GET without the body) or <c>*</c> for any. The path starts with <c>/v1</c>, the prefix the gateway
/// proxies; a <c>*</c> matches any characters within one segment (<c>/v1/models/*</c>, <c>/v1/models/gpt-*</c>), and a
/// last segment <c>**</c> matches any number of segments, none included (<c>/v1/files/**</c> covers <c>/v1/files</c>).
/// Case is ignored. A path written in a form no request path takes once normalised (<c>//</c>, <c>;</c>, <c>%</c>,
/// <c>\</c>, dot segments, a trailing slash) is refused at start-up, since it could never match.
/// </summary>
internal sealed class PassThroughRoute
{
    private const string AnySegments = "**";

    private readonly string? _method;
    private readonly string[] _segments;
    private readonly bool _anyTail;

    private PassThroughRoute(string? method, string[] segments, bool anyTail)
    {
        _method = method;
        _segments = segments;
        _anyTail = anyTail;
    }

    public static PassThroughRoute Parse(string entry) =>
        TryParse(entry, out var route, out var problem) ? route! : throw new FormatException(problem);

    /// <summary>Reads an entry; <paramref name="problem"/> says what is wrong with a malformed one.</summary>
    public static bool TryParse(string? entry, out PassThroughRoute? route, out string? problem)
    {
        route = null;
        var parts = (entry ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            problem = "must be a method and a path separated by a space, e.g. 'GET /v1/models' or '* /v1/files/**'";
            return false;
        }

        var (method, path) = (parts[0], parts[1]);
        if (method != "*" && !method.All(char.IsAsciiLetter))
        {
            problem = $"has the method '{method}': write an HTTP method (GET, POST, ...) or * for any";
            return false;
        }

        problem = PathProblem(path);
        if (problem is not null)
        {
            return false;
        }

        var segments = path[1..].ToLowerInvariant().Split('/');
        var anyTail = segments[^1] == AnySegments;
        route = new PassThroughRoute(method == "*" ? null : method.ToUpperInvariant(), anyTail ? segments[..^1] : segments, anyTail);
        return true;
    }

    private static string? PathProblem(string path)
    {
        if (!path.Equals("/v1", StringComparison.OrdinalIgnoreCase) && !path.StartsWith("/v1/", StringComparison.OrdinalIgnoreCase))
        {
            return "must have a path starting with /v1/, the prefix the gateway proxies";
        }

        if (path.IndexOfAny([';', '%', '\\', '?', '#']) is var at and >= 0)
        {
            return $"has '{path[at]}' in its path, which no request path has once the gateway has read it (write the plain path)";
        }

        if (path.EndsWith('/'))
        {
            return $"has a path that ends with '/': write {path.TrimEnd('/')}, or {path}** for everything under it";
        }

        var segments = path[1..].Split('/');
        if (segments.Contains(""))
        {
            return "has an empty segment ('//') in its path";
        }

        if (segments.Any(s => s is "." or ".."))
        {
            return "has a '.' or '..' segment in its path";
        }

        if (segments.Select((s, i) => (s, i)).Any(p => p.s.Contains(AnySegments, StringComparison.Ordinal) && (p.s != AnySegments || p.i != segments.Length - 1)))
        {
            return "has '**' other than as its last segment ('/v1/files/**'); '*' matches within one segment";
        }

        return null;
    }

    /// <summary>Whether the entry matches a request; <paramref name="normalPath"/> is in its normal form (lower case, no empty segments).</summary>
    public bool IsMatch(string method, string normalPath)
    {
        if (_method is not null && !HttpMethods.Equals(_method, method) && !(_method == HttpMethods.Get && HttpMethods.IsHead(method)))
        {
            return false;
        }

        var rest = normalPath.AsSpan(1);
        foreach (var pattern in _segments)
        {
            if (rest.IsEmpty)
            {
                return false;
            }

            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (!Glob.IsMatch(pattern, segment))
            {
                return false;
            }

            rest = slash < 0 ? [] : rest[(slash + 1)..];
        }

        return rest.IsEmpty || _anyTail;
    }
}
