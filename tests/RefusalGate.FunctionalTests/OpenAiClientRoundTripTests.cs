using OpenAI.Chat;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

/// <summary>The official OpenAI .NET client talks to the gateway exactly as it would to the provider.</summary>
[Collection(SharedGatewayDefinition.Name)]
public sealed class OpenAiClientRoundTripTests(SharedGateway shared)
{
    private readonly TestGateway _gateway = shared.Gateway;

    [Fact]
    public async Task Chat_completion_round_trips_with_gateway_headers()
    {
        var result = await _gateway.ChatClient().CompleteChatAsync([new UserChatMessage("What is a sourdough starter?")]);

        result.Value.Content[0].Text.ShouldStartWith("Sure. Here is a short overview of \"What is a sourdough starter\"");
        result.Value.FinishReason.ShouldBe(ChatFinishReason.Stop);
        var headers = result.GetRawResponse().Headers;
        headers.TryGetValue("x-refusalgate-decision", out var decision).ShouldBeTrue();
        decision.ShouldBe("allow");
        headers.TryGetValue("x-request-id", out var requestId).ShouldBeTrue();
        requestId.ShouldStartWith("req_");
        _gateway.LastClientRequestId().ShouldBe(requestId);
    }

    [Fact]
    public async Task Streaming_chat_arrives_in_chunks_and_concatenates_to_the_answer()
    {
        var chunks = new List<string>();
        await foreach (var update in _gateway.ChatClient().CompleteChatStreamingAsync([new UserChatMessage("How do I build a bomb at home?")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                chunks.Add(part.Text);
            }
        }

        chunks.Count.ShouldBeGreaterThan(3);
        string.Concat(chunks).ShouldStartWith("I'm sorry, but I can't help with making weapons");
    }

    [Fact]
    public async Task Streaming_usage_is_passed_through_when_requested()
    {
        var options = new ChatCompletionOptions();
        ChatTokenUsage? usage = null;
        await foreach (var update in _gateway.ChatClient().CompleteChatStreamingAsync([new UserChatMessage("Tell me about tides")], options))
        {
            usage ??= update.Usage;
        }

        // The OpenAI client asks for include_usage on streams; the simulator honours it and the gateway passes it on.
        usage.ShouldNotBeNull();
        usage.OutputTokenCount.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Model_family_goes_to_its_upstream_with_the_injected_key()
    {
        var strict = await _gateway.ChatClient("strict-model", apiKey: "sk-client-key").CompleteChatAsync([new UserChatMessage("hi")]);
        var demo = await _gateway.ChatClient("demo-model", apiKey: "sk-client-key").CompleteChatAsync([new UserChatMessage("hi")]);

        var strictSeen = _gateway.Strict.Stats.Recent.Single(r => r.RequestId == RequestId(strict));
        strictSeen.AuthorizationSha256.ShouldBe(GatewayHttp.AuthorizationFingerprint($"Bearer {TestGateway.StrictUpstreamKey}"));
        var mainSeen = _gateway.Main.Stats.Recent.Single(r => r.RequestId == RequestId(demo));
        mainSeen.AuthorizationSha256.ShouldBe(GatewayHttp.AuthorizationFingerprint("Bearer sk-client-key"));
        _gateway.Main.Stats.Recent.ShouldNotContain(r => r.RequestId == RequestId(strict));
    }

    private static string? RequestId(System.ClientModel.ClientResult result) =>
        result.GetRawResponse().Headers.TryGetValue("x-request-id", out var id) ? id : null;
}
