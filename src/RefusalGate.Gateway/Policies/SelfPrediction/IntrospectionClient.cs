using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.OutcomeLog;
using RefusalGate.Gateway.Policies.Model;
using RefusalGate.Gateway.Proxy;

namespace RefusalGate.Gateway.Policies.SelfPrediction;

/// <summary>What the cascade asks about: the prompt, and where and as whom to ask.</summary>
/// <param name="ClientHeaders">
/// The client's provider headers (<see cref="IntrospectionClient.ClientHeaderNames"/>), which the forwarded request carries
/// too; the upstream's configured key replaces the Authorization among them as it does there. Never logged.
/// </param>
/// <param name="ReasoningModel">
/// The request reads as one for an o1/o3-style reasoning model (<see cref="LlmRequest.TargetsReasoningModel"/>): such a
/// model rejects <c>max_tokens</c> and any temperature but its default, so the question is asked the same way.
/// </param>
public sealed record SelfPredictionRequest(
    string RequestId, string Upstream, string Model, string Prompt, IReadOnlyList<KeyValuePair<string, string>> ClientHeaders, bool ReasoningModel);

/// <summary>
/// Asks the upstream model — same upstream, same model, same credentials as the request itself — to predict whether it
/// would refuse: one short, non-streaming chat completion from the policy's prompt templates, with its token cap and
/// temperature 0 (for a client of a reasoning model: the cap as <c>max_completion_tokens</c>, no temperature). Returns
/// the answer text; throws on transport errors and non-2xx answers.
/// </summary>
public sealed class IntrospectionClient(IHttpClientFactory httpClients, UpstreamCatalog upstreams)
{
    public const string HttpClientName = "refusalgate-introspection";

    /// <summary>Prompts longer than this are cut for the question (the model needs the gist, and the call must stay small).</summary>
    public const int MaxPromptChars = 8000;

    /// <summary>
    /// The client's headers that say, to an OpenAI-compatible provider, who pays and which project or deployment key
    /// applies (Azure OpenAI authenticates with <c>api-key</c>): sent with the question as they are with the request.
    /// </summary>
    public static readonly string[] ClientHeaderNames = ["Authorization", "api-key", "OpenAI-Organization", "OpenAI-Project"];

    public async Task<string?> AskAsync(SelfPredictionRequest request, SelfPredictionSettings settings, CancellationToken cancellationToken)
    {
        if (!upstreams.Upstreams.TryGetValue(request.Upstream, out var upstream))
        {
            throw new InvalidOperationException($"Upstream '{request.Upstream}' is not configured.");
        }

        var body = new JsonObject
        {
            ["model"] = request.Model,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = settings.SystemPrompt },
                new JsonObject { ["role"] = "user", ["content"] = EmbeddedPrompt.Fill(settings.UserPrompt, SelfPredictionSettings.PromptPlaceholder, StoredPrompt.Cut(request.Prompt, MaxPromptChars)) }),
            ["stream"] = false,
        };
        if (request.ReasoningModel)
        {
            body[LlmRequest.MaxCompletionTokensField] = settings.MaxTokens;
        }
        else
        {
            body["max_tokens"] = settings.MaxTokens;
            body["temperature"] = 0;
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, upstream.BaseUrl.TrimEnd('/') + "/chat/completions")
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body)),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.TryAddWithoutValidation("x-request-id", request.RequestId + "-self");
        foreach (var (name, value) in request.ClientHeaders)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (upstreams.TryGetApiKey(request.Upstream, out var apiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(message, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var answer = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        return answer.RootElement.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
            && choices[0].TryGetProperty("message", out var reply) && reply.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
            ? content.GetString()
            : null;
    }
}
