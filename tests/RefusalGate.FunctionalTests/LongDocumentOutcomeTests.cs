using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RefusalGate.FunctionalTests.Infrastructure;
using RefusalGate.Gateway.Observation;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// What ends a long answer lies past the copy limit in one document: the Responses API's terminal event repeats the
/// whole answer in one SSE line, and a whole chat completion has its finish reason after its message and its usage
/// after its choices. Here both end with the provider's content filter, a refusal whatever the text before said,
/// which the gateway must see through the real proxy path, with the client getting every byte.
/// </summary>
public sealed class LongDocumentOutcomeTests
{
    private const int CopyLimit = 65536;
    private const int Deltas = 2000;
    private static readonly string Piece = new string('w', 63) + " ";

    [Fact]
    public async Task A_responses_stream_whose_terminal_event_is_longer_than_the_limit_is_read_to_its_content_filter()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(MapRoutes);
        await using var gateway = await ScriptedUpstream.StartGatewayAsync(upstream, CopyLimit);
        var body = JsonSerializer.Serialize(new { model = "long-model", stream = true, input = "Tell me a long story." });
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/responses") { Content = GatewayHttp.Json(body) };

        using var response = await gateway.Http.SendAsync(request);
        var received = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        received.ShouldBe(ResponsesStream());
        var outcome = await gateway.WaitForOutcomeAsync(response.Header("x-request-id"));
        outcome.Endpoint.ShouldBe("responses");
        outcome.Observed.ShouldBe(ObservedKind.ContentFilter);
        outcome.Completed.ShouldBeTrue();
        outcome.PromptTokens.ShouldBe(6);
        outcome.CompletionTokens.ShouldBe(Deltas);
        outcome.Truncated.ShouldBeTrue(); // 128,000 characters of text, more than the 16,384 kept
    }

    [Fact]
    public async Task A_chat_completion_body_longer_than_the_limit_is_read_to_its_finish_reason_and_usage()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(MapRoutes);
        await using var gateway = await ScriptedUpstream.StartGatewayAsync(upstream, CopyLimit);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody("Tell me a long story.", "long-model")),
        };

        using var response = await gateway.Http.SendAsync(request);
        var received = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        received.ShouldBe(ChatBody());
        var outcome = await gateway.WaitForOutcomeAsync(response.Header("x-request-id"));
        outcome.Observed.ShouldBe(ObservedKind.ContentFilter);
        outcome.Completed.ShouldBeTrue();
        outcome.CompletionTokens.ShouldBe(Deltas);
        outcome.Truncated.ShouldBeTrue(); // the text is judged from the copy of the body's start
    }

    private static string Event(string type, string fields) => $"event: {type}\ndata: {{\"type\":\"{type}\",{fields}}}\n\n";

    private static string MessageItem(string text) =>
        $"{{\"type\":\"message\",\"id\":\"msg_1\",\"status\":\"incomplete\",\"role\":\"assistant\",\"content\":[{{\"type\":\"output_text\",\"annotations\":[],\"text\":\"{text}\"}}]}}";

    /// <summary>
    /// A Responses API stream of <see cref="Deltas"/> deltas, cut by the content filter: its <c>response.incomplete</c>
    /// repeats the 128,000 characters in one line, twice the copy limit, with the reason and usage after them.
    /// </summary>
    private static string ResponsesStream()
    {
        var stream = new StringBuilder()
            .Append(Event("response.created", "\"sequence_number\":0,\"response\":{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"in_progress\",\"output\":[]}"))
            .Append(Event("response.output_item.added", "\"sequence_number\":1,\"output_index\":0,\"item\":{\"type\":\"message\",\"id\":\"msg_1\",\"role\":\"assistant\",\"content\":[]}"));
        for (var i = 0; i < Deltas; i++)
        {
            stream.Append(Event("response.output_text.delta", $"\"sequence_number\":{i + 2},\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"{Piece}\""));
        }

        var text = string.Concat(Enumerable.Repeat(Piece, Deltas));
        return stream
            .Append(Event("response.output_item.done", $"\"sequence_number\":{Deltas + 2},\"output_index\":0,\"item\":{MessageItem(text)}"))
            .Append(Event("response.incomplete",
                $"\"sequence_number\":{Deltas + 3},\"response\":{{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"incomplete\",\"output\":[{MessageItem(text)}]," +
                $"\"incomplete_details\":{{\"reason\":\"content_filter\"}},\"usage\":{{\"input_tokens\":6,\"output_tokens\":{Deltas},\"total_tokens\":{Deltas + 6}}}}}"))
            .ToString();
    }

    /// <summary>A whole chat completion of 128,000 characters stopped by the content filter, its usage last.</summary>
    private static string ChatBody() =>
        $"{{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"long-model\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":\"{string.Concat(Enumerable.Repeat(Piece, Deltas))}\",\"refusal\":null}},\"logprobs\":null,\"finish_reason\":\"content_filter\"}}]," +
        $"\"usage\":{{\"prompt_tokens\":6,\"completion_tokens\":{Deltas},\"total_tokens\":{Deltas + 6}}}}}";

    private static void MapRoutes(WebApplication app)
    {
        app.MapPost("/v1/responses", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/event-stream";
            var stream = Encoding.UTF8.GetBytes(ResponsesStream());
            for (var start = 0; start < stream.Length; start += 4096)
            {
                await context.Response.Body.WriteAsync(stream.AsMemory(start, Math.Min(4096, stream.Length - start)));
                await context.Response.Body.FlushAsync();
            }
        });
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(ChatBody());
        });
    }
}
