namespace RefusalGate.Gateway.Configuration;

/// <summary>The <c>Gateway</c> configuration section: limits and the upstream LLM providers.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Largest request body the gate buffers and inspects; larger bodies get 413. Default 1 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Upstream providers by name. A request goes to the upstream whose <see cref="UpstreamOptions.Models"/> pattern
    /// matches its model most specifically (an exact name beats a glob, a longer glob prefix beats a shorter one).
    /// </summary>
    public Dictionary<string, UpstreamOptions> Upstreams { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Which models clients may ask for at all (globs; <c>*</c> is any sequence).</summary>
    public ModelAccessOptions ModelAccess { get; set; } = new();

    /// <summary>Which requests the gate does not judge are forwarded (see <see cref="PassThroughOptions"/>).</summary>
    public PassThroughOptions PassThrough { get; set; } = new();

    /// <summary>
    /// Tell the upstream where the request came from: <c>X-Forwarded-For</c>/<c>-Proto</c>/<c>-Host</c>/<c>-Prefix</c> set
    /// by the gateway (YARP's default, which replaces the client's and drops a <c>Forwarded</c> header), and
    /// <c>X-Real-IP</c> as the client (or an ingress) sent it. Off by default: an LLM provider needs none of them, and
    /// they describe your network and your users' addresses to a third party; off, any a client or an ingress sent
    /// (<c>Forwarded</c> too) are removed as well.
    /// </summary>
    public bool ForwardClientAddresses { get; set; }

    /// <summary>
    /// Forward the client's <c>Cookie</c> header. Off by default: LLM APIs authenticate with headers, and a browser
    /// client's cookies belong to its own site. On for an upstream behind a cookie-based proxy (e.g. oauth2-proxy).
    /// </summary>
    public bool ForwardCookies { get; set; }

    /// <summary>
    /// Whether a client's <c>x-request-id</c> (a short, safe token) becomes the request's id. True by default: a sidecar's
    /// client is the application, whose ids tie its logs to the gateway's. False issues every request a new id, so ids
    /// stay unique in the outcome log and the logs whatever clients send (a gateway open to many clients).
    /// </summary>
    public bool AcceptClientRequestIds { get; set; } = true;

    /// <summary>Browser clients from other origins (see <see cref="Cors.CorsOptions"/>); off by default.</summary>
    public Cors.CorsOptions Cors { get; set; } = new();

    /// <summary>Which <c>x-refusalgate-*</c> headers clients see on their responses (see <see cref="GatewayResponseHeaders"/>).</summary>
    public GatewayResponseHeaders ResponseHeaders { get; set; } = GatewayResponseHeaders.All;
}

/// <summary>
/// How much of the gate's view a client sees. The prediction's probability and confidence tell whoever can read them how
/// close a prompt is to being refused: an oracle for tuning a jailbreak against the classifier, one query at a time. A
/// sidecar's client is the application, which may act on them; a gateway open to end users should not give them away.
/// </summary>
public enum GatewayResponseHeaders
{
    /// <summary>Every header: decision, prediction, confidence, category, zone, self-prediction, annotation.</summary>
    All,

    /// <summary>Only <c>x-refusalgate-decision</c> and what an <c>annotate</c> action was configured to say.</summary>
    Decision,

    /// <summary>None (the request id stays); an <c>annotate</c> action still labels the forwarded request.</summary>
    None,
}

/// <summary>One OpenAI-compatible upstream (a provider, a model family, a local server).</summary>
public sealed class UpstreamOptions
{
    /// <summary>OpenAI-style base URL including the version segment, e.g. <c>https://api.openai.com/v1</c>.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>
    /// Model name globs served by this upstream, e.g. <c>gpt-*</c>; <c>*</c> makes it the catch-all. Empty (the default)
    /// means <c>*</c>. (Configuration binding appends to list defaults, so the default must be empty.)
    /// </summary>
    public List<string> Models { get; set; } = [];

    internal IReadOnlyList<string> EffectiveModels => Models.Count == 0 ? ["*"] : Models;

    /// <summary>
    /// API key injected as <c>Authorization: Bearer</c>, replacing the client's. Prefer <see cref="ApiKeyEnvironmentVariable"/>
    /// so the key stays out of files. When neither is set, the client's own Authorization header is passed through.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Name of an environment variable that holds the API key.</summary>
    public string? ApiKeyEnvironmentVariable { get; set; }

    /// <summary>How long the upstream may stay silent (no response bytes) before the gateway answers 504.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);
}

public sealed class ModelAccessOptions
{
    /// <summary>Model globs that may be requested; empty (the default) allows every model.</summary>
    public List<string> Allow { get; set; } = [];

    /// <summary>Model globs that are refused with 403 even when allowed.</summary>
    public List<string> Deny { get; set; } = [];
}

/// <summary>
/// The routes the gate does not judge (everything under <c>/v1</c> but <c>POST</c> chat and text completions) that are
/// forwarded to the provider: entries are <c>METHOD /path-glob</c>, e.g. <c>GET /v1/models/*</c>. Both lists empty (the
/// default) forwards every route, as the gateway always has; a request to a route not forwarded gets 403
/// <c>route_not_allowed</c>. The completion routes and the gateway's own endpoints are never affected.
/// </summary>
public sealed class PassThroughOptions
{
    /// <summary>The routes forwarded; empty (the default) allows every route. (Binding appends to list defaults.)</summary>
    public List<string> Allow { get; set; } = [];

    /// <summary>Routes refused even when <see cref="Allow"/> lists them.</summary>
    public List<string> Deny { get; set; } = [];
}
