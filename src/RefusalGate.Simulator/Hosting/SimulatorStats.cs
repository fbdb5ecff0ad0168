using System.Collections.Concurrent;

namespace RefusalGate.Simulator.Hosting;

/// <summary>
/// What the simulated upstream has received, so tests can prove what reached it (or that nothing did).
/// Keeps only the last <see cref="Capacity"/> requests. Credentials (Authorization, api-key) are kept as a SHA-256 prefix, never in clear.
/// </summary>
public sealed class SimulatorStats
{
    public const int Capacity = 200;

    private readonly ConcurrentQueue<ReceivedRequest> _recent = new();
    private long _total;
    private long _aborted;
    private long _introspection;
    private long _prompts;

    /// <summary>Every request received, introspection requests included.</summary>
    public long TotalRequests => Interlocked.Read(ref _total);

    /// <summary>
    /// Self-prediction requests ("would you refuse this?") among <see cref="TotalRequests"/>, so tests can tell when the
    /// gateway asked the model about a prompt apart from when it forwarded the prompt.
    /// </summary>
    public long IntrospectionRequests => Interlocked.Read(ref _introspection);

    /// <summary>
    /// Requests to answer a prompt, i.e. <see cref="TotalRequests"/> without the introspection ones. Tests that prove
    /// nothing was forwarded count these: a shadow self-prediction started by an earlier request may still arrive. A
    /// counter of its own, because subtracting two counters read one after the other can race with a request.
    /// </summary>
    public long PromptRequests => Interlocked.Read(ref _prompts);

    /// <summary>Answers cut short because the caller went away (e.g. the gateway cancelled a stream).</summary>
    public long AbortedByClient => Interlocked.Read(ref _aborted);

    public IReadOnlyList<ReceivedRequest> Recent => [.. _recent];

    internal void RecordAbortedByClient() => Interlocked.Increment(ref _aborted);

    internal void Record(ReceivedRequest request)
    {
        Interlocked.Increment(ref _total);
        if (request.IsIntrospection)
        {
            Interlocked.Increment(ref _introspection);
        }
        else
        {
            Interlocked.Increment(ref _prompts);
        }

        _recent.Enqueue(request);
        while (_recent.Count > Capacity && _recent.TryDequeue(out _))
        {
        }
    }
}

/// <summary>One request as the simulated upstream saw it.</summary>
/// <param name="IsIntrospection">True when it was a self-prediction request rather than a prompt to answer.</param>
/// <param name="ContentEncoding">The request's <c>Content-Encoding</c> header, if any (the body is recorded as received).</param>
/// <param name="Annotation">The request's <c>x-refusalgate-annotation</c> header, if any (what a gateway's annotate action tells the upstream).</param>
/// <param name="ApiKeySha256">The request's <c>api-key</c> header (Azure OpenAI's credential) as a SHA-256 prefix, if any.</param>
/// <param name="Organization">The request's <c>OpenAI-Organization</c> header, if any.</param>
/// <param name="ClientDetailHeaders">The names (lower case, sorted) of the headers that describe the client rather than the call: <c>forwarded</c>, <c>x-forwarded-*</c>, <c>x-real-ip</c>, <c>cookie</c>.</param>
public sealed record ReceivedRequest(
    string Method, string Path, string? Body, string? AuthorizationSha256, string? RequestId, bool IsIntrospection = false, string? ContentEncoding = null,
    string? Annotation = null, string? ApiKeySha256 = null, string? Organization = null, IReadOnlyList<string>? ClientDetailHeaders = null);
