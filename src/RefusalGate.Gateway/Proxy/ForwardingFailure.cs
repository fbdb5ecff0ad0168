using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace RefusalGate.Gateway.Proxy;

/// <summary>Whose doing a forwarding failure was, which decides how loudly it is logged.</summary>
internal enum ForwardingFailureKind
{
    /// <summary>The client cancelled or went away: routine for a proxy, nothing for an operator to fix.</summary>
    ClientGone,

    /// <summary>The upstream could not be reached, timed out or broke off its answer: a network or provider fault.</summary>
    UpstreamFault,

    /// <summary>An exception no network fault throws (a bug, or something never seen): logged with its stack trace.</summary>
    Unexpected,
}

/// <summary>
/// One request's forwarding failure as YARP reports it (<see cref="IForwarderErrorFeature"/>), read for the log: whose
/// fault it was and the transport's own reason ("Connection reset by peer"), which the outer exceptions only wrap.
/// </summary>
internal readonly record struct ForwardingFailure(ForwarderError Error, Exception? Exception)
{
    public ForwardingFailureKind Kind =>
        !IsTransportFailure(Exception) ? ForwardingFailureKind.Unexpected
        : IsClientSide(Error) ? ForwardingFailureKind.ClientGone
        : ForwardingFailureKind.UpstreamFault;

    /// <summary>The innermost exception's message: the socket's or the parser's words, not the wrappers' generic ones.</summary>
    public string Reason
    {
        get
        {
            if (Exception is null)
            {
                return "no exception";
            }

            var innermost = Exception;
            while (innermost.InnerException is { } inner)
            {
                innermost = inner;
            }

            return innermost.Message;
        }
    }

    /// <summary>
    /// What networks, remote servers and clients throw: failed requests, broken or closed connections, timeouts,
    /// cancellations, a request body the server could not read (broken chunked framing); YARP reports a request body
    /// that failed both ways as an aggregate of such failures.
    /// </summary>
    private static bool IsTransportFailure(Exception? exception) => exception switch
    {
        null or HttpRequestException or IOException or OperationCanceledException or BadHttpRequestException => true,
        AggregateException aggregate => aggregate.InnerExceptions.All(IsTransportFailure),
        _ => false,
    };

    /// <summary>The server's refusal of the client's request body (its framing, its size), wherever it is wrapped.</summary>
    public BadHttpRequestException? UnreadableRequestBody
    {
        get
        {
            for (var current = Exception; current is not null; current = current.InnerException)
            {
                if (current is BadHttpRequestException badRequest)
                {
                    return badRequest;
                }
            }

            return null;
        }
    }

    private static bool IsClientSide(ForwarderError error) => error is
        ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
        or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient
        or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeRequestClient
        or ForwarderError.UpgradeResponseCanceled or ForwarderError.UpgradeResponseClient;
}
