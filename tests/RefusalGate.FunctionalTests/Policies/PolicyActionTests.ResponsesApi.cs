// The OpenAI client marks its Responses API as evaluation-only (OPENAI001); the tests use it as a client would.
#pragma warning disable OPENAI001
using System.Text.Json;
using OpenAI.Responses;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests.Policies;

/// <summary>The actions on the Responses API: the gateway's own answers in its format, read by the official client; strict rewrites.</summary>
public sealed partial class PolicyActionTests
{
    [Fact]
    public async Task Responses_block_is_a_refusal_the_client_reads_without_calling_the_upstream()
    {
        var before = _gateway.Main.Stats.PromptRequests;

        var result = await _gateway.ResponsesClient().CreateResponseAsync("demo-refuse-block", "Tell me about the printing press.", previousResponseId: null);

        var response = result.Value;
        response.Id.ShouldStartWith("resp_");
        response.Status.ShouldBe(ResponseStatus.Completed);
        response.Model.ShouldBe("demo-refuse-block");
        var message = response.OutputItems.ShouldHaveSingleItem().ShouldBeAssignableTo<MessageResponseItem>()!;
        message.Id.ShouldStartWith("msg_");
        message.Role.ShouldBe(MessageRole.Assistant);
        var part = message.Content.ShouldHaveSingleItem();
        part.Kind.ShouldBe(ResponseContentPartKind.Refusal);
        part.Refusal.ShouldBe(PolicyGateway.BlockMessage);
        response.Usage.TotalTokenCount.ShouldBe(0);
        result.GetRawResponse().Headers.TryGetValue("x-refusalgate-decision", out var decision).ShouldBeTrue();
        decision.ShouldBe("block");
        _gateway.Main.Stats.PromptRequests.ShouldBe(before);
    }

    [Fact]
    public async Task Responses_block_streams_as_refusal_events_the_client_reads()
    {
        var before = _gateway.Main.Stats.PromptRequests;
        var refusal = "";
        var sequence = new List<int>();
        ResponseResult? completed = null;
        await foreach (var update in await _gateway.ResponsesClient().CreateResponseStreamingAsync("demo-refuse-block", "Tell me about the printing press.", previousResponseId: null))
        {
            sequence.Add(update.SequenceNumber);
            switch (update)
            {
                case StreamingResponseRefusalDeltaUpdate delta:
                    refusal += delta.Delta;
                    break;
                case StreamingResponseCompletedUpdate done:
                    completed = done.Response;
                    break;
            }
        }

        refusal.ShouldBe(PolicyGateway.BlockMessage);
        sequence.ShouldBe(Enumerable.Range(0, sequence.Count));
        completed.ShouldNotBeNull();
        completed.Status.ShouldBe(ResponseStatus.Completed);
        completed.OutputItems.ShouldHaveSingleItem().ShouldBeAssignableTo<MessageResponseItem>()!.Content.ShouldHaveSingleItem().Refusal.ShouldBe(PolicyGateway.BlockMessage);
        _gateway.Main.Stats.PromptRequests.ShouldBe(before);
    }

    [Fact]
    public async Task Responses_stream_is_the_event_sequence_openai_sends()
    {
        var body = """{"model":"demo-refuse-constructive","stream":true,"input":"Tell me about the printing press."}""";

        var response = await _gateway.Http.PostAsync("v1/responses", GatewayHttp.Json(body));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('\n'))
            .Select(lines => (Name: lines[0]["event: ".Length..], Data: JsonDocument.Parse(lines[1]["data: ".Length..]).RootElement.Clone()))
            .ToList();

        response.Header("x-refusalgate-decision").ShouldBe("constructive");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        events.Select(e => e.Name).ShouldBe([
            "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
            "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.completed"]);
        events.ShouldAllBe(e => e.Data.GetProperty("type").GetString() == e.Name);
        events.Select(e => e.Data.GetProperty("sequence_number").GetInt32()).ShouldBe(Enumerable.Range(0, events.Count));
        events[4].Data.GetProperty("delta").GetString().ShouldBe(PolicyGateway.ConstructiveMessage);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Responses_constructive_is_output_text_the_client_reads(bool stream)
    {
        var client = _gateway.ResponsesClient();
        string text;
        if (stream)
        {
            text = "";
            await foreach (var update in await client.CreateResponseStreamingAsync("demo-refuse-constructive", "Tell me about the printing press.", previousResponseId: null))
            {
                text += (update as StreamingResponseOutputTextDeltaUpdate)?.Delta;
            }
        }
        else
        {
            var response = (await client.CreateResponseAsync("demo-refuse-constructive", "Tell me about the printing press.", previousResponseId: null)).Value;
            response.OutputItems.ShouldHaveSingleItem().ShouldBeAssignableTo<MessageResponseItem>()!.Content.ShouldHaveSingleItem().Kind.ShouldBe(ResponseContentPartKind.OutputText);
            text = response.GetOutputText();
        }

        text.ShouldBe(PolicyGateway.ConstructiveMessage);
    }

    [Fact]
    public async Task Responses_strict_puts_the_system_message_before_the_clients_instructions()
    {
        var marker = Guid.NewGuid().ToString("N");
        var body = $$"""{"model":"demo-refuse-strict","instructions":"Be brief.","input":[{"role":"user","content":"strict {{marker}}"}]}""";

        var response = await _gateway.Http.PostAsync("v1/responses", GatewayHttp.Json(body));

        response.Header("x-refusalgate-decision").ShouldBe("strict");
        var received = _gateway.Strict.Stats.Recent.Last(r => r.Body?.Contains(marker) == true);
        received.Path.ShouldBe("/v1/responses");
        using var forwarded = JsonDocument.Parse(received.Body!);
        forwarded.RootElement.GetProperty("model").GetString().ShouldBe("strict-reviewed");
        forwarded.RootElement.GetProperty("instructions").GetString().ShouldBe(PolicyGateway.StrictSystemMessage + "\n\nBe brief.");
        forwarded.RootElement.GetProperty("input")[0].GetProperty("content").GetString().ShouldBe($"strict {marker}");
        var outcome = await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));
        outcome.Endpoint.ShouldBe("responses");
        outcome.Decision.ShouldBe("strict");
    }

    [Theory]
    [InlineData("", 50, 0.1)]
    [InlineData(""","max_output_tokens":1000""", 50, 0.1)]
    [InlineData(""","max_output_tokens":20""", 20, 0.1)]
    [InlineData(""","reasoning":{"effort":"low"}""", 50, null)]
    public async Task Responses_strict_caps_max_output_tokens_only(string clientSettings, int cap, double? temperature)
    {
        // A reasoning model (the request sets "reasoning") rejects any temperature but its default: none is added.
        var marker = Guid.NewGuid().ToString("N");
        var body = $$"""{"model":"demo-refuse-capped","input":"capped {{marker}}"{{clientSettings}}}""";

        var response = await _gateway.Http.PostAsync("v1/responses", GatewayHttp.Json(body));

        response.Header("x-refusalgate-decision").ShouldBe("strict");
        var received = _gateway.Main.Stats.Recent.Last(r => r.Body?.Contains(marker) == true);
        using var forwarded = JsonDocument.Parse(received.Body!);
        forwarded.RootElement.GetProperty("max_output_tokens").GetInt32().ShouldBe(cap);
        (forwarded.RootElement.TryGetProperty("temperature", out var t) ? t.GetDouble() : (double?)null).ShouldBe(temperature);
        forwarded.RootElement.TryGetProperty("max_tokens", out _).ShouldBeFalse();
        forwarded.RootElement.TryGetProperty("max_completion_tokens", out _).ShouldBeFalse();
    }
}
