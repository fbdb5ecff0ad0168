using System.Net;
using System.Text.Json;
using OpenAI.Chat;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests.Policies;

/// <summary>Every action in its zone, through a real gateway and simulated upstreams, with the OpenAI client where it applies.</summary>
public sealed partial class PolicyActionTests(PolicyGateway fixture) : IClassFixture<PolicyGateway>
{
    private readonly TestGateway _gateway = fixture.Gateway;

    [Fact]
    public async Task Block_answers_in_the_provider_format_without_calling_the_upstream()
    {
        var before = _gateway.Main.Stats.PromptRequests;

        var completion = (await _gateway.ChatClient("demo-refuse-block").CompleteChatAsync("Tell me about the printing press.")).Value;

        completion.Content[0].Text.ShouldBe(PolicyGateway.BlockMessage);
        completion.FinishReason.ShouldBe(ChatFinishReason.ContentFilter);
        _gateway.Main.Stats.PromptRequests.ShouldBe(before);
        var response = await _gateway.Http.PostChatAsync("Tell me about the printing press.", "demo-refuse-block");
        response.Header("x-refusalgate-decision").ShouldBe("block");
        response.Header("x-refusalgate-zone").ShouldBe("refuse");
        _gateway.Main.Stats.PromptRequests.ShouldBe(before);
    }

    [Fact]
    public async Task Block_streams_when_the_client_asked_for_a_stream()
    {
        var before = _gateway.Main.Stats.PromptRequests;
        var text = "";
        await foreach (var update in _gateway.ChatClient("demo-refuse-block").CompleteChatStreamingAsync("Tell me about the printing press."))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
        }

        text.ShouldBe(PolicyGateway.BlockMessage);
        _gateway.Main.Stats.PromptRequests.ShouldBe(before);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_gateways_own_answer_has_as_many_choices_as_the_request_asked_for(bool stream)
    {
        var body = JsonSerializer.Serialize(new
        {
            model = "demo-refuse-block",
            stream,
            n = 3,
            messages = new[] { new { role = "user", content = "Tell me about the printing press." } },
        });

        var response = await _gateway.Http.PostAsync("v1/chat/completions", GatewayHttp.Json(body));

        response.Header("x-refusalgate-decision").ShouldBe("block");
        var text = await response.Content.ReadAsStringAsync();
        var choices = stream
            ? text.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal))
                .Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement.GetProperty("choices")[0].Clone()).ToList()
            : [.. JsonDocument.Parse(text).RootElement.GetProperty("choices").EnumerateArray().Select(c => c.Clone())];
        choices.Select(c => c.GetProperty("index").GetInt32()).Distinct().Order().ShouldBe([0, 1, 2]);
        choices.Count(c => c.GetProperty("finish_reason").GetString() == "content_filter").ShouldBe(3);
        var messages = choices.Select(c => c.GetProperty(stream ? "delta" : "message")).Where(m => m.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String);
        messages.Select(m => m.GetProperty("content").GetString()).ShouldBe(Enumerable.Repeat(PolicyGateway.BlockMessage, 3));
    }

    [Theory]
    [InlineData("demo-refuse-block", true)]
    [InlineData("demo-refuse-constructive", true)]
    [InlineData("demo-refuse-block", false)]
    public async Task The_gateways_own_stream_ends_with_a_usage_chunk_when_the_client_asked_for_one(string model, bool includeUsage)
    {
        var body = JsonSerializer.Serialize(new
        {
            model,
            stream = true,
            stream_options = new { include_usage = includeUsage },
            messages = new[] { new { role = "user", content = "Tell me about the printing press." } },
        });

        var response = await _gateway.Http.PostAsync("v1/chat/completions", GatewayHttp.Json(body));

        var events = (await response.Content.ReadAsStringAsync()).Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l["data: ".Length..]).ToList();
        events[^1].ShouldBe("[DONE]");
        var usageChunks = events.SkipLast(1).Select(e => JsonDocument.Parse(e).RootElement.Clone()).Where(e => e.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object).ToList();
        if (!includeUsage)
        {
            usageChunks.ShouldBeEmpty();
            foreach (var chunk in events.SkipLast(1).Select(e => JsonDocument.Parse(e).RootElement))
            {
                chunk.TryGetProperty("usage", out _).ShouldBeFalse();
            }

            return;
        }

        // As OpenAI sends it: the last chunk before [DONE], no choices, the usage of the whole answer (zeros here, as the whole answer reports).
        usageChunks.Count.ShouldBe(1);

        // ... and every chunk before it says "usage": null, as OpenAI's do under include_usage.
        foreach (var chunk in events.SkipLast(2).Select(e => JsonDocument.Parse(e).RootElement))
        {
            chunk.TryGetProperty("usage", out var usage).ShouldBeTrue();
            usage.ValueKind.ShouldBe(JsonValueKind.Null);
        }

        var last = JsonDocument.Parse(events[^2]).RootElement;
        last.GetProperty("choices").GetArrayLength().ShouldBe(0);
        last.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().ShouldBe(0);
        last.GetProperty("usage").GetProperty("completion_tokens").GetInt32().ShouldBe(0);
        last.GetProperty("usage").GetProperty("total_tokens").GetInt32().ShouldBe(0);
    }

    [Theory]
    [InlineData("demo-refuse-block", "129", false, "integer_above_max_value")]
    [InlineData("demo-refuse-block", "99999999999999999999", false, "integer_above_max_value")]
    [InlineData("demo-refuse-block", "0", true, "integer_below_min_value")]
    [InlineData("demo-refuse-constructive", "-1", false, "integer_below_min_value")]
    [InlineData("demo-refuse-constructive", "\"2\"", true, "invalid_type")]
    [InlineData("demo-refuse-block", "2.5", false, "invalid_type")]
    [InlineData("demo-refuse-block", "true", false, "invalid_type")]
    public async Task An_invalid_n_gets_openais_400_when_the_gateway_answers_itself(string model, string n, bool stream, string code)
    {
        var before = _gateway.Main.Stats.PromptRequests;
        var body = $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"n":{{n}},"messages":[{"role":"user","content":"Tell me about the printing press."}]}""";

        var response = await _gateway.Http.PostAsync("v1/chat/completions", GatewayHttp.Json(body));

        // As the provider would answer it: the gateway stands in for it, so it validates what the provider would have.
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var error = await response.ReadErrorAsync();
        error.GetProperty("type").GetString().ShouldBe("invalid_request_error");
        error.GetProperty("param").GetString().ShouldBe("n");
        error.GetProperty("code").GetString().ShouldBe(code);
        error.GetProperty("message").GetString()!.ShouldContain("'n'");
        _gateway.Main.Stats.PromptRequests.ShouldBe(before);
    }

    [Fact]
    public async Task An_invalid_n_in_a_forwarded_request_is_left_to_the_upstream()
    {
        var marker = Guid.NewGuid().ToString("N");
        var body = $$"""{"model":"demo-comply-model","n":129,"messages":[{"role":"user","content":"Tell me about the printing press. {{marker}}"}]}""";

        var response = await _gateway.Http.PostAsync("v1/chat/completions", GatewayHttp.Json(body));

        response.Header("x-refusalgate-decision").ShouldBe("allow");
        _gateway.Main.Stats.Recent.ShouldContain(r => r.Body != null && r.Body.Contains(marker));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        error.RootElement.GetProperty("error").GetProperty("code").GetString().ShouldBe("integer_above_max_value");
    }

    [Theory]
    [InlineData("null", 1)]
    [InlineData("128", 128)]
    public async Task A_valid_n_still_gets_that_many_choices_from_the_gateway(string n, int choices)
    {
        var body = $$"""{"model":"demo-refuse-block","n":{{n}},"messages":[{"role":"user","content":"Tell me about the printing press."}]}""";

        var response = await _gateway.Http.PostAsync("v1/chat/completions", GatewayHttp.Json(body));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        document.RootElement.GetProperty("choices").GetArrayLength().ShouldBe(choices);
    }

    [Theory]
    [InlineData("demo-refuse-block", ChatFinishReason.ContentFilter, PolicyGateway.BlockMessage)]
    [InlineData("demo-refuse-constructive", ChatFinishReason.Stop, PolicyGateway.ConstructiveMessage)]
    public async Task Under_structured_outputs_the_gateways_own_answer_is_a_refusal(string model, ChatFinishReason finishReason, string message)
    {
        // A json_schema answer is parsed by the SDKs; OpenAI puts a refusal in "refusal" (content null) so they do not try.
        var options = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat(
                "answer", BinaryData.FromString("""{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}"""), jsonSchemaIsStrict: true),
        };

        var completion = (await _gateway.ChatClient(model).CompleteChatAsync([new UserChatMessage("Tell me about the printing press.")], options)).Value;

        completion.Refusal.ShouldBe(message);
        completion.Content.ShouldBeEmpty();
        completion.FinishReason.ShouldBe(finishReason);

        var refusal = "";
        var content = "";
        await foreach (var update in _gateway.ChatClient(model).CompleteChatStreamingAsync([new UserChatMessage("Tell me about the printing press.")], options))
        {
            refusal += update.RefusalUpdate;
            content += string.Concat(update.ContentUpdate.Select(p => p.Text));
        }

        refusal.ShouldBe(message);
        content.ShouldBeEmpty();
    }

    [Fact]
    public async Task Outside_structured_outputs_the_gateways_own_answer_is_content()
    {
        var body = """{"model":"demo-refuse-block","response_format":{"type":"json_object"},"messages":[{"role":"user","content":"Tell me about the printing press."}]}""";

        var response = await _gateway.Http.PostAsync("v1/chat/completions", GatewayHttp.Json(body));

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var message = document.RootElement.GetProperty("choices")[0].GetProperty("message");
        message.GetProperty("content").GetString().ShouldBe(PolicyGateway.BlockMessage);
        message.GetProperty("refusal").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Constructive_answers_with_the_configured_message()
    {
        var before = _gateway.Main.Stats.PromptRequests;

        var response = await _gateway.Http.PostChatAsync("Tell me about the printing press.", "demo-refuse-constructive");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Header("x-refusalgate-decision").ShouldBe("constructive");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString().ShouldBe(PolicyGateway.ConstructiveMessage);
        body.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString().ShouldBe("stop");
        _gateway.Main.Stats.PromptRequests.ShouldBe(before);
    }

    [Fact]
    public async Task Annotate_forwards_unchanged_with_headers_both_ways()
    {
        var response = await _gateway.Http.PostChatAsync("Tell me about the printing press. annotate-marker", "demo-refuse-annotate");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Header("x-refusalgate-decision").ShouldBe("annotate");
        response.Header("x-policy-note").ShouldBe("reviewed");
        response.Header("x-refusalgate-annotation").ShouldStartWith("refuse; category=");
        var received = _gateway.Main.Stats.Recent.Last(r => r.Body?.Contains("annotate-marker") == true);
        received.Body!.ShouldNotContain("system");
        received.Annotation.ShouldBe(response.Header("x-refusalgate-annotation"));
    }

    /// <summary>
    /// The application behind reads the annotation as the gateway's word: a client must not be able to send one itself,
    /// neither where no annotation applies nor in place of the one that does.
    /// </summary>
    [Theory]
    [InlineData("demo-comply-model", null)]
    [InlineData("demo-refuse-annotate", "refuse; category=")]
    public async Task An_annotation_the_client_sends_never_reaches_the_upstream(string model, string? expected)
    {
        var marker = $"forged-annotation-{model}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody($"Tell me about the printing press. {marker}", model)),
        };
        request.Headers.Add("x-refusalgate-annotation", "forged; category=none");
        request.Headers.Add("X-RefusalGate-Decision", "allow");

        (await _gateway.Http.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var received = _gateway.Main.Stats.Recent.Last(r => r.Body?.Contains(marker) == true);
        if (expected is null)
        {
            received.Annotation.ShouldBeNull();
        }
        else
        {
            received.Annotation.ShouldStartWith(expected);
        }
    }

    [Fact]
    public async Task Shadow_forwards_unchanged_and_records_what_it_would_have_done()
    {
        var before = _gateway.Main.Stats.PromptRequests;

        var response = await _gateway.Http.PostChatAsync("Tell me about the printing press.", "demo-refuse-shadow");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Header("x-refusalgate-decision").ShouldBe("shadow");
        response.Header("x-refusalgate-shadow-decision").ShouldBe("block");
        _gateway.Main.Stats.PromptRequests.ShouldBe(before + 1);
        var outcome = await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));
        outcome.Decision.ShouldBe("shadow");
        outcome.ShadowOf.ShouldBe("block");
        outcome.PolicyAction.ShouldBe("test-shadow");
        outcome.Zone.ShouldBe("refuse");
    }

    [Fact]
    public async Task Strict_reaches_the_strict_upstream_with_the_system_message_model_and_temperature()
    {
        var mainBefore = _gateway.Main.Stats.PromptRequests;

        var completion = (await _gateway.ChatClient("demo-refuse-strict").CompleteChatAsync("strict-marker: tell me about the printing press.")).Value;

        completion.Content[0].Text.ShouldNotBeNullOrWhiteSpace();
        _gateway.Main.Stats.PromptRequests.ShouldBe(mainBefore);
        var received = _gateway.Strict.Stats.Recent.Last(r => r.Body?.Contains("strict-marker") == true);
        using var body = JsonDocument.Parse(received.Body!);
        body.RootElement.GetProperty("model").GetString().ShouldBe("strict-reviewed");
        body.RootElement.GetProperty("temperature").GetDouble().ShouldBe(0.1);
        var first = body.RootElement.GetProperty("messages")[0];
        first.GetProperty("role").GetString().ShouldBe("system");
        first.GetProperty("content").GetString().ShouldBe(PolicyGateway.StrictSystemMessage);

        // The strict upstream's own key is injected, not the client's.
        received.AuthorizationSha256.ShouldBe(GatewayHttp.AuthorizationFingerprint($"Bearer {TestGateway.StrictUpstreamKey}"));
    }

    [Theory]
    [InlineData("", 0.1, 50, null)]
    [InlineData(""","temperature":0.0""", 0.0, 50, null)]
    [InlineData(""","temperature":0.7,"max_tokens":1000""", 0.1, 50, null)]
    [InlineData(""","max_tokens":10""", 0.1, 10, null)]
    [InlineData(""","max_tokens":1e12""", 0.1, 50, null)]
    [InlineData(""","max_completion_tokens":1000""", null, null, 50)]
    [InlineData(""","max_completion_tokens":20""", null, null, 20)]
    [InlineData(""","max_tokens":1000,"max_completion_tokens":30""", null, 50, 30)]
    [InlineData(",\"reasoning_effort\":\"low\"", null, null, 50)]
    [InlineData(""","max_completion_tokens":100,"temperature":1""", 1.0, null, 50)]
    public async Task Strict_never_makes_a_request_less_strict(string clientSettings, double? temperature, int? maxTokens, int? maxCompletionTokens)
    {
        // o1/o3-style models reject max_tokens and any temperature but their default, so a request that reads as one for
        // such a model (max_completion_tokens, reasoning_effort) gets its cap in max_completion_tokens and no temperature.
        var marker = Guid.NewGuid().ToString("N");
        var body = $$"""{"model":"demo-refuse-capped","messages":[{"role":"user","content":"capped {{marker}}"}]{{clientSettings}}}""";

        var response = await _gateway.Http.PostAsync("v1/chat/completions", GatewayHttp.Json(body));

        response.Header("x-refusalgate-decision").ShouldBe("strict");
        var received = _gateway.Main.Stats.Recent.Last(r => r.Body?.Contains(marker) == true);
        using var forwarded = JsonDocument.Parse(received.Body!);
        var root = forwarded.RootElement;
        (root.TryGetProperty("temperature", out var t) ? t.GetDouble() : (double?)null).ShouldBe(temperature);
        (root.TryGetProperty("max_tokens", out var cap) ? cap.GetInt32() : (int?)null).ShouldBe(maxTokens);
        (root.TryGetProperty("max_completion_tokens", out var completionCap) ? completionCap.GetInt32() : (int?)null).ShouldBe(maxCompletionTokens);
    }

    [Fact]
    public async Task Comply_zone_allows_and_asks_no_self_prediction()
    {
        var introspections = _gateway.Main.Stats.IntrospectionRequests;

        var response = await _gateway.Http.PostChatAsync("Tell me about the printing press.", "demo-comply-model");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Header("x-refusalgate-decision").ShouldBe("allow");
        response.Header("x-refusalgate-zone").ShouldBe("comply");
        response.Header("x-refusalgate-self-prediction").ShouldBeEmpty();
        _gateway.Main.Stats.IntrospectionRequests.ShouldBe(introspections);
    }

    [Fact]
    public async Task Tenant_override_wins_over_the_route_for_its_tenant_only()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHttp.Json(GatewayHttp.ChatBody("Tell me about the printing press.", "demo-tenant-model")) };
        request.Headers.Add("x-tenant-id", "acme");
        var acme = await _gateway.Http.SendAsync(request);
        var other = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHttp.Json(GatewayHttp.ChatBody("Tell me about the printing press.", "demo-tenant-model")) };
        other.Headers.Add("x-tenant-id", "globex");
        var globex = await _gateway.Http.SendAsync(other);

        acme.Header("x-refusalgate-decision").ShouldBe("block");
        (await acme.Content.ReadAsStringAsync()).ShouldContain(PolicyGateway.TenantBlockMessage);
        globex.Header("x-refusalgate-decision").ShouldBe("allow");
        var outcome = await _gateway.WaitForOutcomeAsync(globex.Header("x-request-id"));
        outcome.Tenant.ShouldBe("unknown");
    }

    [Fact]
    public async Task Blocked_requests_are_still_recorded_and_counted()
    {
        var response = await _gateway.Http.PostChatAsync("Tell me about the printing press.", "demo-refuse-block");

        var outcome = await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));
        outcome.Decision.ShouldBe("block");
        outcome.Observed.ShouldBe(RefusalGate.Gateway.Observation.ObservedKind.NotForwarded);
        outcome.PolicyAction.ShouldBe("test-block");
        outcome.GateDuration.ShouldNotBeNull();
        (await _gateway.Http.GetStringAsync("metrics")).ShouldContain("refusalgate_gate_requests_total{decision=\"block\"}");
    }
}
