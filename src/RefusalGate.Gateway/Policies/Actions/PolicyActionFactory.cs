using RefusalGate.Gateway.Policies.Loading;

namespace RefusalGate.Gateway.Policies.Actions;

/// <summary>
/// Builds actions from their settings and rejects what does not fit the type (a <c>message</c> on a <c>strict</c>
/// action, a <c>shadow</c> of an unknown action, a strict action naming an unknown upstream). Built-in names
/// (<see cref="BuiltIns"/>) exist without being declared and may be redefined.
/// </summary>
internal static class PolicyActionFactory
{
    private static readonly Dictionary<string, string[]> SettingsByType = new(StringComparer.Ordinal)
    {
        [AllowAction.TypeName] = [],
        [AnnotateAction.TypeName] = ["headers"],
        [ShadowAction.TypeName] = ["of"],
        [StrictAction.TypeName] = ["systemMessage", "temperature", "maxTokens", "upstream", "model"],
        [DirectAnswerAction.BlockTypeName] = ["message", "respondWith"],
        [DirectAnswerAction.ConstructiveTypeName] = ["message", "respondWith"],
    };

    /// <summary>Actions every policy can name without declaring them.</summary>
    public static IEnumerable<IPolicyAction> BuiltIns()
    {
        yield return new AllowAction(AllowAction.TypeName);
        yield return new AnnotateAction(AnnotateAction.TypeName, new Dictionary<string, string>());
        yield return new StrictAction(StrictAction.TypeName, StrictAction.DefaultSystemMessage, temperature: 0.2, maxTokens: null, upstream: null, model: null);
        yield return new DirectAnswerAction(DirectAnswerAction.BlockTypeName, DirectAnswerAction.BlockTypeName, DirectAnswerAction.DefaultBlockMessage, asError: false);
        yield return new DirectAnswerAction(DirectAnswerAction.ConstructiveTypeName, DirectAnswerAction.ConstructiveTypeName, DirectAnswerAction.DefaultConstructiveMessage, asError: false);
    }

    /// <summary>
    /// Creates the action <paramref name="name"/>; <paramref name="resolve"/> finds what a shadow names (real actions are
    /// built before shadows). Returns null after reporting why when the settings do not fit.
    /// </summary>
    public static IPolicyAction? Create(
        string name,
        ActionDocument settings,
        Func<string, ShadowTarget> resolve,
        IReadOnlyCollection<string>? knownUpstreams,
        PolicyIssues issues)
    {
        var type = settings.Type;
        if (!SettingsByType.TryGetValue(type, out var allowed))
        {
            return null; // The schema has reported the unknown type.
        }

        var valid = true;
        foreach (var (setting, isSet) in SetSettings(settings))
        {
            if (isSet && !allowed.Contains(setting))
            {
                issues.At($"'{setting}' does not apply to a {type} action (it takes: {(allowed.Length == 0 ? "no settings" : string.Join(", ", allowed))}).", "actions", name, setting);
                valid = false;
            }
        }

        if (!valid)
        {
            return null;
        }

        switch (type)
        {
            case AllowAction.TypeName:
                return new AllowAction(name);
            case AnnotateAction.TypeName:
                foreach (var header in settings.Headers?.Keys ?? Enumerable.Empty<string>())
                {
                    if (IsReservedHeader(header))
                    {
                        issues.At($"Action '{name}' may not set header '{header}': framing, routing, credential and the gateway's own headers are reserved (a wrong Content-Length breaks the response; an Authorization would replace the client's key).", "actions", name, "headers", header);
                        valid = false;
                    }
                    else if (UnsendableCharacter(settings.Headers![header]) is { } character)
                    {
                        issues.AtValue($"Action '{name}' may not set header '{header}' to this value: it has {character}; a response header carries printable ASCII only.", "actions", name, "headers", header);
                        valid = false;
                    }
                }

                return valid ? new AnnotateAction(name, settings.Headers ?? []) : null;
            case ShadowAction.TypeName:
                if (settings.Of is null)
                {
                    issues.At($"Action '{name}' is a shadow action and needs 'of': the action it would have taken.", "actions", name);
                    return null;
                }

                var target = resolve(settings.Of);
                switch (target.Kind)
                {
                    case ShadowTargetKind.Action:
                        return new ShadowAction(name, target.Action!);
                    case ShadowTargetKind.Shadow:
                        issues.AtValue($"Action '{name}' shadows another shadow action ('{settings.Of}'); shadow a real action.", "actions", name, "of");
                        return null;
                    case ShadowTargetKind.Rejected:
                        return null; // Its own error is reported; without a target this shadow cannot be built either.
                    default:
                        issues.AtValue($"Action '{name}' shadows '{settings.Of}', which is not defined.", "actions", name, "of");
                        return null;
                }

            case StrictAction.TypeName:
                if (settings.Upstream is { } upstream && knownUpstreams is not null && !knownUpstreams.Contains(upstream, StringComparer.OrdinalIgnoreCase))
                {
                    issues.AtValue($"Action '{name}' routes to upstream '{upstream}', which is not configured (known: {string.Join(", ", knownUpstreams)}).", "actions", name, "upstream");
                    return null;
                }

                var nothingSet = settings is { SystemMessage: null, Temperature: null, MaxTokens: null, Upstream: null, Model: null };
                return new StrictAction(name, nothingSet ? StrictAction.DefaultSystemMessage : settings.SystemMessage, settings.Temperature, settings.MaxTokens, settings.Upstream, settings.Model);
            default:
                var message = settings.Message ?? (type == DirectAnswerAction.BlockTypeName ? DirectAnswerAction.DefaultBlockMessage : DirectAnswerAction.DefaultConstructiveMessage);
                return new DirectAnswerAction(name, type, message, asError: settings.RespondWith == "error");
        }
    }

    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "content-length", "content-type", "content-encoding", "transfer-encoding", "connection", "keep-alive", "upgrade",
        "te", "trailer", "host", "proxy-authorization", "proxy-authenticate", "authorization", "cookie", "set-cookie",
        "api-key", "x-api-key", "x-request-id",
    };

    /// <summary>Headers an annotation must not set: message framing, hop-by-hop, credentials, and the gateway's own.</summary>
    private static bool IsReservedHeader(string header) =>
        ReservedHeaders.Contains(header) || header.StartsWith("x-refusalgate-", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The first character Kestrel refuses in a response header value (it throws when the response is written, so every
    /// request the action applies to would fail), described; null when the value can be sent. Tabs are allowed.
    /// </summary>
    private static string? UnsendableCharacter(string? value)
    {
        foreach (var c in value ?? "")
        {
            if (c is '\r' or '\n')
            {
                return "a line break";
            }

            if (c != '\t' && (c < ' ' || c == '\x7F'))
            {
                return "a control character";
            }

            if (c > '~')
            {
                return $"'{c}', which is not ASCII";
            }
        }

        return null;
    }

    private static IEnumerable<(string Setting, bool IsSet)> SetSettings(ActionDocument settings)
    {
        yield return ("headers", settings.Headers is not null);
        yield return ("of", settings.Of is not null);
        yield return ("systemMessage", settings.SystemMessage is not null);
        yield return ("temperature", settings.Temperature is not null);
        yield return ("maxTokens", settings.MaxTokens is not null);
        yield return ("upstream", settings.Upstream is not null);
        yield return ("model", settings.Model is not null);
        yield return ("message", settings.Message is not null);
        yield return ("respondWith", settings.RespondWith is not null);
    }
}
