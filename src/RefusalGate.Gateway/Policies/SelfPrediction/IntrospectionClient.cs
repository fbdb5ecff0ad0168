using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using RefusalGate.Gateway.Policies.Model;
using RefusalGate.Gateway.Proxy;

namespace RefusalGate.Gateway.Policies.SelfPrediction;

/// <summary>What the cascade asks about: the prompt, and where and as whom to ask.</summary>
/// <param name="ClientAuthorization">The client's Authorization header, used when the upstream has no configured key (never logged).</param>
public sealed record SelfPredictionRequest(string RequestId, string Upstream, string Model, string Prompt, string? ClientAuthorization);

/// <summary>
/// Asks the upstream model — same upstream, same model, same credentials as the request itself — to predict whether it
/// would refuse: one short, non-streaming chat completion from the policy's prompt templates, with its token cap and
/// temperature 0. Returns the answer text; throws on transport errors and non-2xx answers.
/// </summary>
public sealed class IntrospectionClient(IHttpClientFactory httpClients, UpstreamCatalog upstreams)
{
    public const string HttpClientName = "refusalgate-introspection";

    /// <summary>Prompts longer than this are cut for the question (the model needs the gist, and the call must stay small).</summary>
    public const int MaxPromptChars = 8000;

    public async Task<string?> AskAsync(SelfPredictionRequest request, SelfPredictionSettings settings, CancellationToken cancellationToken)
    {
        if (!upstreams.Upstreams.TryGetValue(request.Upstream, out var upstream))
        {
            throw new InvalidOperationException($"Upstream '{request.Upstream}' is not configured.");
        }

        var prompt = request.Prompt.Length > MaxPromptChars ? request.Prompt[..MaxPromptChars] : request.Prompt;
        var body = new JsonObject
        {
            ["model"] = request.Model,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = settings.SystemPrompt },
                new JsonObject { ["role"] = "user", ["content"] = EmbeddedPrompt.Fill(settings.UserPrompt, SelfPredictionSettings.PromptPlaceholder, prompt) }),
            ["max_tokens"] = settings.MaxTokens,
            ["temperature"] = 0,
            ["stream"] = false,
        };

        using var message = new HttpRequestMessage(HttpMethod.Post, upstream.BaseUrl.TrimEnd('/') + "/chat/completions")
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body)),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.TryAddWithoutValidation("x-request-id", request.RequestId + "-self");
        if (upstreams.TryGetApiKey(request.Upstream, out var apiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
        else if (request.ClientAuthorization is { Length: > 0 } authorization)
        {
            message.Headers.TryAddWithoutValidation("Authorization", authorization);
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
