using Microsoft.AspNetCore.Http;
using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Gate;

/// <summary>
/// The routes the gate judges — chat and text completions and the Responses API's create call — and the one method they
/// accept. Every other path under <c>/v1</c> passes through ungated, with whatever methods the upstream serves: the
/// Responses API's other calls (<c>/v1/responses/{id}</c>, its <c>/cancel</c> and <c>/input_items</c>) read, cancel or
/// delete a stored response and generate nothing.
/// </summary>
internal static class GatedRoutes
{
    /// <summary>The method the completion routes accept, as the <c>Allow</c> header of a 405 names it.</summary>
    public const string AllowedMethod = "POST";

    private const string ChatCompletions = "/v1/chat/completions";
    private const string Completions = "/v1/completions";
    private const string Responses = "/v1/responses";

    /// <summary>
    /// The completion endpoint a path names, whatever the method; null for the pass-through routes. The path is read
    /// the most lenient way an upstream or a proxy in front of it may read it (see <see cref="Normalise"/>): a spelling
    /// that some server answers as a completion must not reach it ungated.
    /// </summary>
    public static LlmEndpoint? Match(PathString path) => path.Value switch
    {
        null => null,

        // The spellings nearly every request uses, matched without normalising (no allocation on the hot path).
        ChatCompletions => LlmEndpoint.ChatCompletions,
        Completions => LlmEndpoint.Completions,
        Responses => LlmEndpoint.Responses,
        // Spelt plainly, the path is its own normal form (no allocation for the usual pass-through request).
        var value when IsNormal(value) => null,
        var value => Normalise(value) switch
        {
            ChatCompletions => LlmEndpoint.ChatCompletions,
            Completions => LlmEndpoint.Completions,
            Responses => LlmEndpoint.Responses,
            _ => null,
        },
    };

    /// <summary>
    /// The path a judged request is forwarded to: the route the gate judged, not the client's spelling of it, so the
    /// upstream cannot read the request as anything else.
    /// </summary>
    public static PathString CanonicalPath(LlmEndpoint endpoint) => endpoint switch
    {
        LlmEndpoint.ChatCompletions => ChatCompletions,
        LlmEndpoint.Responses => Responses,
        _ => Completions,
    };

    /// <summary>
    /// A method the gate does not answer by itself on a completion route: <c>OPTIONS</c> is a CORS preflight, which the
    /// provider answers for browser clients, so it is forwarded rather than refused.
    /// </summary>
    public static bool IsForwardedUnjudged(string method) => HttpMethods.IsOptions(method);

    /// <summary>
    /// Whether <see cref="Normalise"/> would return the path unchanged, decided without allocating (so the check on every
    /// pass-through request costs nothing when the path is spelt plainly). Conservative: a path with any character the
    /// normalisation might touch (upper case, <c>\</c>, <c>;</c>, <c>%</c>, anything outside ASCII), an empty segment, a
    /// <c>.</c> or <c>..</c> segment or a trailing slash is not normal, and is normalised.
    /// </summary>
    internal static bool IsNormal(ReadOnlySpan<char> path)
    {
        if (path.IsEmpty || path[0] != '/')
        {
            return false;
        }

        if (path.Length == 1)
        {
            return true;
        }

        var segmentStart = 1;
        for (var i = 1; i <= path.Length; i++)
        {
            if (i == path.Length || path[i] == '/')
            {
                if (path[segmentStart..i] is "" or "." or "..")
                {
                    return false;
                }

                segmentStart = i + 1;
            }
            else if (path[i] is '\\' or ';' or '%' or (>= 'A' and <= 'Z') or > '\u007f')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The path as a lenient server reads it, lower-cased: backslashes and encoded slashes (<c>%2F</c>, <c>%5C</c>, which
    /// Kestrel leaves encoded or decodes to a backslash) are separators, empty segments are merged away (nginx's
    /// <c>merge_slashes</c>), <c>;</c> parameters are cut from every segment (servlet containers), and <c>.</c> and
    /// <c>..</c> segments that appear once parameters are cut (<c>/..;/</c>) are resolved. Kestrel has already decoded
    /// the other percent-escapes and resolved the plain dot segments. Case is folded, as YARP's route match folds it.
    /// </summary>
    internal static string Normalise(string path)
    {
        var separated = path.Replace('\\', '/')
            .Replace("%2F", "/", StringComparison.OrdinalIgnoreCase)
            .Replace("%5C", "/", StringComparison.OrdinalIgnoreCase);
        var segments = new List<string>();
        foreach (var raw in separated.Split('/'))
        {
            var segment = raw.Split(';', 2)[0];
            switch (segment)
            {
                case "" or ".":
                    break;
                case "..":
                    if (segments.Count > 0)
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }

                    break;
                default:
                    segments.Add(segment);
                    break;
            }
        }

        return "/" + string.Join('/', segments).ToLowerInvariant();
    }
}
