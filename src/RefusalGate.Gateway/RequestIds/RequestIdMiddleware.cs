using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.RequestIds;

/// <summary>
/// Gives every request an id: the client's <c>x-request-id</c> when it is a short, safe token and
/// <see cref="GatewayOptions.AcceptClientRequestIds"/> allows it, else a new one. The id becomes
/// <see cref="HttpContext.TraceIdentifier"/> (so logs carry it), goes upstream, and comes back on every response,
/// errors included.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next, IOptions<GatewayOptions> options)
{
    public const string HeaderName = "x-request-id";
    private const int MaxLength = 128;

    private readonly bool _acceptClientIds = options.Value.AcceptClientRequestIds;

    public Task InvokeAsync(HttpContext context)
    {
        var supplied = _acceptClientIds ? context.Request.Headers[HeaderName].ToString() : "";
        context.TraceIdentifier = IsAcceptable(supplied) ? supplied : NewId();
        context.Response.OnStarting(static state =>
        {
            var httpContext = (HttpContext)state;
            httpContext.Response.Headers[HeaderName] = httpContext.TraceIdentifier;
            return Task.CompletedTask;
        }, context);
        return next(context);
    }

    internal static string NewId() => "req_" + Guid.CreateVersion7().ToString("N");

    /// <summary>Only ids that are safe to echo in headers and logs are kept.</summary>
    internal static bool IsAcceptable(string id)
    {
        if (id.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or ':'))
            {
                return false;
            }
        }

        return true;
    }
}

public static class RequestIdHttpContextExtensions
{
    public static string GetRequestId(this HttpContext context) => context.TraceIdentifier;
}
