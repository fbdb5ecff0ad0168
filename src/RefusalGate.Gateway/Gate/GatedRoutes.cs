using Microsoft.AspNetCore.Http;
using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Gate;

/// <summary>
/// The routes the gate judges — chat and text completions — and the one method they accept. Every other path under
/// <c>/v1</c> passes through ungated, with whatever methods the upstream serves.
/// </summary>
internal static class GatedRoutes
{
    /// <summary>The method the completion routes accept, as the <c>Allow</c> header of a 405 names it.</summary>
    public const string AllowedMethod = "POST";

    private const string ChatCompletions = "/v1/chat/completions";
    private const string Completions = "/v1/completions";

    /// <summary>
    /// The completion endpoint a path names, whatever the method; null for the pass-through routes. Case is ignored,
    /// as YARP's route match ignores it (and an upstream may): a path in other case must not reach it ungated.
    /// </summary>
    public static LlmEndpoint? Match(PathString path) => path.Value switch
    {
        { } p when Names(p, ChatCompletions) => LlmEndpoint.ChatCompletions,
        { } p when Names(p, Completions) => LlmEndpoint.Completions,
        _ => null,
    };

    /// <summary>
    /// A method the gate does not answer by itself on a completion route: <c>OPTIONS</c> is a CORS preflight, which the
    /// provider answers for browser clients, so it is forwarded rather than refused.
    /// </summary>
    public static bool IsForwardedUnjudged(string method) => HttpMethods.IsOptions(method);

    private static bool Names(string path, string route) =>
        path.StartsWith(route, StringComparison.OrdinalIgnoreCase)
        && (path.Length == route.Length || (path.Length == route.Length + 1 && path[^1] == '/'));
}
