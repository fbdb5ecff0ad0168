using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RefusalGate.FunctionalTests.Infrastructure;
using RefusalGate.Gateway.Observation;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// A long streamed answer is several times the body copy limit (an OpenAI chunk spends about 150 bytes of JSON on a
/// token). Its last events still decide its outcome: here the provider stops it with <c>content_filter</c>, which is a
/// refusal whatever the text before said, and reports its usage.
/// </summary>
public sealed class LongStreamOutcomeTests
{
    private const int Chunks = 4000;

    [Fact]
    public async Task The_last_events_of_a_stream_longer_than_the_copy_limit_decide_its_outcome()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(MapRoutes);
        await using var gateway = await ScriptedUpstream.StartGatewayAsync(upstream, maxCapturedBytes: 65536);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody("Tell me a long story.", "long-model", stream: true)),
        };

        using var response = await gateway.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        Encoding.UTF8.GetByteCount(body).ShouldBeGreaterThan(4 * 65536);
        var outcome = await gateway.WaitForOutcomeAsync(response.Header("x-request-id"));
        outcome.Observed.ShouldBe(ObservedKind.ContentFilter);
        outcome.Completed.ShouldBeTrue();
        outcome.Truncated.ShouldBeTrue(); // 20,000 characters of text, more than the 16,384 kept
        outcome.CompletionTokens.ShouldBe(Chunks);
    }

    private static void MapRoutes(WebApplication app) =>
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < Chunks; i++)
            {
                await context.Response.WriteAsync(
                    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"long-model\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"once \"},\"finish_reason\":null}]}\n\n");
            }

            await context.Response.WriteAsync(
                "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"long-model\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"content_filter\"}]}\n\n"
                + $"data: {{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"long-model\",\"choices\":[],\"usage\":{{\"prompt_tokens\":6,\"completion_tokens\":{Chunks}}}}}\n\n"
                + "data: [DONE]\n\n");
        });
}
