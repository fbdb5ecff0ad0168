namespace RefusalGate.Gateway.Observation;

/// <summary>What the upstream actually did with a request, as far as the gateway can tell.</summary>
public enum ObservedKind
{
    /// <summary>Answered the request.</summary>
    Compliance,

    /// <summary>Refused part of it, or answered only with heavy caveats or redirection.</summary>
    PartialRefusal,

    /// <summary>Did not answer.</summary>
    FullRefusal,

    /// <summary>The provider's own filter stopped the answer (<c>finish_reason: content_filter</c>): a refusal by the provider.</summary>
    ContentFilter,

    /// <summary>Called tools and wrote no text: neither a refusal nor a text answer to judge.</summary>
    ToolCall,

    /// <summary>No text at all.</summary>
    Empty,

    /// <summary>The upstream (or the gateway on its behalf) answered with an error status; nothing was generated.</summary>
    UpstreamError,

    /// <summary>The gateway answered by policy (block, constructive): the upstream was not asked, so nothing to judge.</summary>
    NotForwarded,

    /// <summary>A body that is neither the provider's JSON nor its event stream (not UTF-8, broken framing).</summary>
    Unreadable,

    /// <summary>
    /// Forwarded and answered, but not judged: the detector is off (<c>Observation:Enabled=false</c>), its queue was
    /// full when the response ended (counted in <c>refusalgate_responses_observation_dropped_total</c>), or the answer
    /// broke off (the client left, the upstream cut it) before any of its text arrived, leaving nothing to judge.
    /// </summary>
    NotJudged,
}

public static class ObservedKindNames
{
    /// <summary>The snake_case name used in headers, records, metrics and the CLI.</summary>
    public static string ToWireName(this ObservedKind kind) => kind switch
    {
        ObservedKind.Compliance => "compliance",
        ObservedKind.PartialRefusal => "partial_refusal",
        ObservedKind.FullRefusal => "full_refusal",
        ObservedKind.NotJudged => "not_judged",
        ObservedKind.ContentFilter => "content_filter",
        ObservedKind.ToolCall => "tool_call",
        ObservedKind.Empty => "empty",
        ObservedKind.UpstreamError => "upstream_error",
        ObservedKind.NotForwarded => "not_forwarded",
        _ => "unreadable",
    };

    /// <summary>The kind for a wire name (as stored in the outcome log).</summary>
    public static bool TryParseWireName(string name, out ObservedKind kind)
    {
        foreach (var candidate in Enum.GetValues<ObservedKind>())
        {
            if (candidate.ToWireName() == name)
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>Whether the kind counts as a refusal when predictions are scored (partial refusals do).</summary>
    public static bool IsRefusal(this ObservedKind kind) =>
        kind is ObservedKind.FullRefusal or ObservedKind.PartialRefusal or ObservedKind.ContentFilter;

    /// <summary>Whether the kind says anything about refusal at all (errors and tool calls do not score predictions).</summary>
    public static bool IsScorable(this ObservedKind kind) =>
        kind is ObservedKind.Compliance or ObservedKind.PartialRefusal or ObservedKind.FullRefusal or ObservedKind.ContentFilter or ObservedKind.Empty;
}
