using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using RefusalGate.Gateway.Errors;
using RefusalGate.Shared;

namespace RefusalGate.Gateway.Gate.Parsing;

/// <summary>The OpenAI endpoints the gate inspects; every other API path passes through untouched.</summary>
public enum LlmEndpoint
{
    ChatCompletions,
    Completions,

    /// <summary>OpenAI's Responses API (<c>POST /v1/responses</c>): <c>instructions</c> and <c>input</c> items.</summary>
    Responses,
}

public static class LlmEndpointNames
{
    /// <summary>The endpoint's name in outcome records: <c>chat.completions</c>, <c>completions</c> or <c>responses</c>.</summary>
    public static string ToWireName(this LlmEndpoint endpoint) => endpoint switch
    {
        LlmEndpoint.ChatCompletions => "chat.completions",
        LlmEndpoint.Responses => "responses",
        _ => "completions",
    };
}

/// <summary>One message's role and its text (text parts joined), and the kinds of its parts that carry no text.</summary>
public readonly record struct ConversationMessage(string Role, string Text, UnreadContent Unread = UnreadContent.None)
{
    /// <summary>The text of the last user message (what the model is being asked now), or empty.</summary>
    public static string LastUserText(IReadOnlyList<ConversationMessage> messages) => LastUser(messages)?.Text ?? "";

    /// <summary>The last user message, or null when there is none.</summary>
    public static ConversationMessage? LastUser(IReadOnlyList<ConversationMessage> messages)
    {
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == "user")
            {
                return messages[i];
            }
        }

        return null;
    }
}

/// <summary>
/// A parsed chat or text completion or Responses API request: the fields stages read (model, stream, the conversation text) and the
/// JSON body they may rewrite. Rewrites mark the request modified so the gate re-serialises it before forwarding.
/// </summary>
public sealed class LlmRequest
{
    private static readonly JsonSerializerOptions CompactJson = new() { WriteIndented = false };

    internal LlmRequest(LlmEndpoint endpoint, JsonObject body, string model, bool stream, IReadOnlyList<ConversationMessage> messages)
    {
        Endpoint = endpoint;
        Body = body;
        Model = model;
        Stream = stream;
        Messages = messages;
    }

    public LlmEndpoint Endpoint { get; }

    public JsonObject Body { get; }

    public string Model { get; private set; }

    public bool Stream { get; }

    /// <summary>
    /// How many choices the client asked for (<c>n</c>), read as OpenAI reads it, for the gateway's own answers: they
    /// stand in for the provider's, so an <c>n</c> the provider would refuse gets the provider's 400 (<c>param: "n"</c>)
    /// instead of a completion. A forwarded request's <c>n</c> is never read: the upstream judges it (and some accept more
    /// than OpenAI's 128).
    /// </summary>
    public bool TryReadChoiceCount(out int choices, [NotNullWhen(false)] out OpenAiError? error)
    {
        if (Endpoint == LlmEndpoint.Responses)
        {
            // The Responses API has no n: one answer, whatever the body says.
            choices = 1;
            error = null;
            return true;
        }

        var n = Body[OpenAiChoiceCount.Parameter] is { } node ? node.Deserialize<JsonElement>() : (JsonElement?)null;
        if (OpenAiChoiceCount.TryRead(n, out choices, out var invalid))
        {
            error = null;
            return true;
        }

        error = OpenAiError.InvalidParameter(OpenAiChoiceCount.Parameter, invalid.Message, invalid.Code);
        return false;
    }

    /// <summary>
    /// Whether a streamed answer should end with a usage chunk (<c>stream_options.include_usage: true</c>), so the
    /// gateway's own streamed answers end as a model's would.
    /// </summary>
    public bool IncludeUsage => Body["stream_options"] is JsonObject options
        && options["include_usage"] is JsonValue value && value.GetValueKind() == JsonValueKind.True;

    /// <summary>
    /// Whether a chat request asks for structured outputs (<c>response_format.type: json_schema</c>). The SDKs parse
    /// such an answer's content against the schema, and OpenAI gives a refusal as the message's <c>refusal</c> with no
    /// content so that they do not; the gateway's own answers do the same.
    /// </summary>
    public bool AsksForStructuredOutput => Endpoint == LlmEndpoint.ChatCompletions
        && Body["response_format"] is JsonObject format
        && format["type"] is JsonValue type && type.GetValueKind() == JsonValueKind.String && type.GetValue<string>() == "json_schema";

    /// <summary>The Responses API's system message.</summary>
    public const string InstructionsField = "instructions";

    /// <summary>The Responses API's token cap (it rejects <c>max_tokens</c> and <c>max_completion_tokens</c>).</summary>
    public const string MaxOutputTokensField = "max_output_tokens";

    /// <summary>The field o1/o3-style reasoning models take their token cap in; they reject <c>max_tokens</c>.</summary>
    public const string MaxCompletionTokensField = "max_completion_tokens";

    /// <summary>
    /// Whether the request reads as one for an o1/o3-style reasoning model, which rejects <c>max_tokens</c> and any
    /// temperature but its default: a chat client of one caps with <c>max_completion_tokens</c> or sets
    /// <c>reasoning_effort</c>, a Responses API client sets <c>reasoning</c>. Calls the gateway makes or changes for the
    /// request follow the same convention (the strict action's temperature and token cap, the self-prediction call).
    /// </summary>
    public bool TargetsReasoningModel => Endpoint == LlmEndpoint.Responses
        ? Body.ContainsKey("reasoning")
        : Body.ContainsKey(MaxCompletionTokensField) || Body.ContainsKey("reasoning_effort");

    /// <summary>The conversation in order; for text completions, one <c>user</c> message per prompt.</summary>
    public IReadOnlyList<ConversationMessage> Messages { get; }

    public bool IsModified { get; private set; }

    /// <summary>The text of the last user message: what the model is being asked now.</summary>
    public string LastUserMessage => ConversationMessage.LastUserText(Messages);

    /// <summary>What the last user message carries that the classifier cannot read (images, audio, files).</summary>
    public UnreadContent LastUserUnread => ConversationMessage.LastUser(Messages)?.Unread ?? UnreadContent.None;

    public void SetModel(string model)
    {
        Model = model;
        Body["model"] = model;
        IsModified = true;
    }

    /// <summary>
    /// Adds a system message before the conversation (chat), before the client's <c>instructions</c> (Responses API: they
    /// are the system message there, and <c>input</c> may be a bare string), or a preamble before the prompt (completions).
    /// </summary>
    public void PrependSystemMessage(string text)
    {
        if (Endpoint == LlmEndpoint.ChatCompletions)
        {
            var messages = (JsonArray)Body["messages"]!;
            messages.Insert(0, new JsonObject { ["role"] = "system", ["content"] = text });
        }
        else if (Endpoint == LlmEndpoint.Responses)
        {
            Body[InstructionsField] = Body[InstructionsField] is JsonValue instructions && instructions.TryGetValue<string>(out var client) && client.Length > 0
                ? text + "\n\n" + client
                : text;
        }
        else if (Body["prompt"] is JsonValue prompt && prompt.TryGetValue<string>(out var promptText))
        {
            Body["prompt"] = text + "\n\n" + promptText;
        }

        IsModified = true;
    }

    public void SetParameter(string name, JsonNode? value)
    {
        Body[name] = value;
        IsModified = true;
    }

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(Body, CompactJson);
}
