using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using RefusalGate.FunctionalTests.Infrastructure;
using RefusalGate.Gateway.Observation;

namespace RefusalGate.FunctionalTests.Policies;

/// <summary>
/// The cascade against the simulated upstream's introspection answers. "Tell me about the printing press." has a
/// classifier refusal probability well inside the 0.05–0.95 band of <c>demo-band-*</c>; the simulator's
/// <c>[sim:self=...]</c> directives fix the model's answer, <c>[sim:self-delay=ms]</c> delays only that answer.
/// </summary>
public sealed class SelfPredictionTests(PolicyGateway fixture) : IClassFixture<PolicyGateway>
{
    private readonly TestGateway _gateway = fixture.Gateway;

    [Fact]
    public async Task A_confident_self_prediction_of_refusal_moves_the_band_to_the_refuse_action()
    {
        var introspections = _gateway.Main.Stats.IntrospectionRequests;

        var response = await _gateway.Http.PostChatAsync("[sim:self=refuse][sim:self-confidence=99] Tell me about the printing press.", "demo-band-model");

        _gateway.Main.Stats.IntrospectionRequests.ShouldBe(introspections + 1);
        response.Header("x-refusalgate-self-prediction").ShouldBe("refuse");
        response.Header("x-refusalgate-self-confidence").ShouldBe("0.99");
        double.Parse(response.Header("x-refusalgate-fused-probability"), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(0.95);
        response.Header("x-refusalgate-zone").ShouldBe("refuse");
        response.Header("x-refusalgate-decision").ShouldBe("block");
    }

    [Fact]
    public async Task A_confident_self_prediction_of_compliance_moves_the_band_to_the_comply_action()
    {
        var response = await _gateway.Http.PostChatAsync("[sim:self=comply][sim:self-confidence=99] Tell me about the printing press.", "demo-band-model");

        response.Header("x-refusalgate-self-prediction").ShouldBe("comply");
        response.Header("x-refusalgate-zone").ShouldBe("comply");
        response.Header("x-refusalgate-decision").ShouldBe("allow");
    }

    [Fact]
    public async Task A_hesitant_self_prediction_leaves_the_request_in_the_band_and_goes_strict()
    {
        var response = await _gateway.Http.PostChatAsync("[sim:self=refuse][sim:self-confidence=60] band-strict-marker Tell me about the printing press.", "demo-band-model");

        response.Header("x-refusalgate-zone").ShouldBe("uncertain");
        response.Header("x-refusalgate-decision").ShouldBe("strict");
        _gateway.Strict.Stats.Recent.ShouldContain(r => r.Body != null && r.Body.Contains("band-strict-marker"));
    }

    // The cache key folds case and whitespace: another wording asks nothing and reuses the verdict, which the header shows.
    [Theory]
    [InlineData("cache-marker Tell me about the printing press.", "cache-marker Tell me about the printing press.")]
    [InlineData("fold-marker Tell me about the printing press.", " FOLD-MARKER tell me about\nthe  printing press.")]
    public async Task A_repeated_prompt_is_answered_from_the_verdict_cache_and_says_so(string prompt, string repeated)
    {
        const string Directives = "[sim:self=comply][sim:self-confidence=99] ";
        var first = await _gateway.Http.PostChatAsync(Directives + prompt, "demo-band-model");
        first.Header("x-refusalgate-self-prediction").ShouldBe("comply");
        first.Header("x-refusalgate-self-cached").ShouldBe("false");
        var introspections = _gateway.Main.Stats.IntrospectionRequests;

        var again = await _gateway.Http.PostChatAsync(Directives + repeated, "demo-band-model");

        again.Header("x-refusalgate-self-prediction").ShouldBe("comply");
        again.Header("x-refusalgate-self-cached").ShouldBe("true");
        _gateway.Main.Stats.IntrospectionRequests.ShouldBe(introspections);
    }

    [Fact]
    public async Task Garbage_answers_count_as_no_answer_and_fail_open_to_the_band_action()
    {
        var response = await _gateway.Http.PostChatAsync("[sim:self=garbage] garbage-marker Tell me about the printing press.", "demo-band-model");

        response.Header("x-refusalgate-self-prediction").ShouldBe("unparseable");
        response.Header("x-refusalgate-self-cached").ShouldBe("false");
        response.Header("x-refusalgate-decision").ShouldBe("strict");
    }

    [Fact]
    public async Task A_self_prediction_timeout_fails_open_to_the_band_action()
    {
        var response = await _gateway.Http.PostChatAsync("[sim:self-delay=3000] open-timeout-marker Tell me about the printing press.", "demo-band-model");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Header("x-refusalgate-self-prediction").ShouldBe("timeout");
        response.Header("x-refusalgate-decision").ShouldBe("strict");
        _gateway.Strict.Stats.Recent.ShouldContain(r => r.Body != null && r.Body.Contains("open-timeout-marker"));
        var outcome = await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));
        outcome.FailMode.ShouldBe("open");
    }

    [Fact]
    public async Task A_client_that_leaves_while_the_model_is_asked_still_gets_its_record()
    {
        var requestId = "client-left-" + Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody("[sim:self-delay=3000] left-marker Tell me about the printing press.", "demo-band-model")),
        };
        request.Headers.TryAddWithoutValidation("x-request-id", requestId);

        // Leaves after the gate has reached the self-prediction call and before that call's 1 s time-out (this fixture's
        // band policy) could forward the request: 200 ms was not always enough on a busy machine (a client that leaves
        // while its body is being read gets no record, since there is no request yet).
        using var leave = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Should.ThrowAsync<OperationCanceledException>(() => _gateway.Http.SendAsync(request, leave.Token));

        var outcome = await _gateway.WaitForOutcomeAsync(requestId);
        outcome.Completed.ShouldBeFalse();
        outcome.Observed.ShouldBe(ObservedKind.NotJudged);
        _gateway.Strict.Stats.Recent.ShouldNotContain(r => r.Body != null && r.Body.Contains("left-marker"));
    }

    [Fact]
    public async Task A_self_prediction_timeout_fails_closed_to_the_fail_action_without_forwarding()
    {
        var response = await _gateway.Http.PostChatAsync("[sim:self-delay=3000] closed-timeout-marker Tell me about the printing press.", "demo-band-closed-model");

        response.Header("x-refusalgate-self-prediction").ShouldBe("timeout");
        response.Header("x-refusalgate-decision").ShouldBe("block");
        (await response.Content.ReadAsStringAsync()).ShouldContain(PolicyGateway.BlockMessage);
        _gateway.Main.Stats.Recent.ShouldNotContain(r => !r.IsIntrospection && r.Body != null && r.Body.Contains("closed-timeout-marker"));
        _gateway.Strict.Stats.Recent.ShouldNotContain(r => r.Body != null && r.Body.Contains("closed-timeout-marker"));
        var outcome = await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));
        outcome.FailMode.ShouldBe("closed");
        outcome.SelfPrediction!.Status.ShouldBe(RefusalGate.Gateway.Policies.SelfPrediction.SelfPredictionStatus.Timeout);
    }

    // The budget is a cost cap the operator chose, not a failure: even failing closed, the request takes the band's action.
    [Fact]
    public async Task An_exhausted_self_prediction_budget_takes_the_band_action_even_when_failing_closed()
    {
        // One call a minute, in fixed one-minute windows shared with this class's other band requests: of three requests,
        // two fall in one window whatever the clock does, so one of them finds the budget spent.
        HttpResponseMessage? exhausted = null;
        string marker = "";
        for (var i = 0; i < 3 && exhausted is null; i++)
        {
            marker = $"budget-marker-{i}";
            var response = await _gateway.Http.PostChatAsync($"[sim:self=comply][sim:self-confidence=99] {marker} Tell me about the printing press.", "demo-band-closed-budget-model");
            if (response.Header("x-refusalgate-self-prediction") == "budget_exhausted")
            {
                exhausted = response;
            }
        }

        exhausted.ShouldNotBeNull();
        exhausted.StatusCode.ShouldBe(HttpStatusCode.OK);
        exhausted.Header("x-refusalgate-zone").ShouldBe("uncertain");
        exhausted.Header("x-refusalgate-decision").ShouldBe("strict");
        _gateway.Strict.Stats.Recent.ShouldContain(r => r.Body != null && r.Body.Contains(marker));
        var outcome = await _gateway.WaitForOutcomeAsync(exhausted.Header("x-request-id"));
        outcome.FailMode.ShouldBeNull();
        outcome.SelfPrediction!.Status.ShouldBe(RefusalGate.Gateway.Policies.SelfPrediction.SelfPredictionStatus.BudgetExhausted);
    }

    [Fact]
    public async Task Sampled_self_predictions_run_beside_confident_requests_and_are_recorded()
    {
        var introspections = _gateway.Main.Stats.IntrospectionRequests;

        var response = await _gateway.Http.PostChatAsync("[sim:self=comply] sample-marker Tell me about the printing press.", "demo-comply-sampled-model");

        response.Header("x-refusalgate-decision").ShouldBe("allow");
        response.Header("x-refusalgate-self-prediction").ShouldBeEmpty();
        var outcome = await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));
        outcome.SelfPredictionShadow.ShouldBeTrue();
        outcome.SelfPrediction!.WireName.ShouldBe("comply");
        _gateway.Main.Stats.IntrospectionRequests.ShouldBe(introspections + 1);
        outcome.Observed.ShouldBe(ObservedKind.Compliance);
    }

    [Fact]
    public async Task The_question_carries_the_clients_provider_headers_as_the_forwarded_request_does()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = GatewayHttp.Json(GatewayHttp.ChatBody($"[sim:self=comply] {marker} Tell me about the printing press.", "demo-comply-sampled-model")),
        };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-client-key");
        request.Headers.TryAddWithoutValidation("api-key", "azure-client-key");
        request.Headers.TryAddWithoutValidation("OpenAI-Organization", "org-test");

        var question = await SelfPredictionCallAsync(request, marker);

        question.AuthorizationSha256.ShouldBe(GatewayHttp.AuthorizationFingerprint("Bearer sk-client-key"));
        question.ApiKeySha256.ShouldBe(GatewayHttp.AuthorizationFingerprint("azure-client-key"));
        question.Organization.ShouldBe("org-test");
    }

    [Theory]
    [InlineData("max_tokens", false)]
    [InlineData("max_completion_tokens", true)]
    [InlineData("reasoning_effort", true)]
    public async Task A_client_of_a_reasoning_model_gets_the_question_capped_as_it_caps_its_answer(string field, bool capsCompletionTokens)
    {
        var marker = Guid.NewGuid().ToString("N");
        var body = JsonNode.Parse(GatewayHttp.ChatBody($"[sim:self=comply] {marker} Tell me about the printing press.", "demo-comply-sampled-model"))!.AsObject();
        body[field] = field == "reasoning_effort" ? "low" : 500;
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHttp.Json(body.ToJsonString()) };

        var question = JsonNode.Parse((await SelfPredictionCallAsync(request, marker)).Body!)!.AsObject();

        // o1/o3-style models reject max_tokens and any temperature but their default.
        question.ContainsKey("max_completion_tokens").ShouldBe(capsCompletionTokens);
        question.ContainsKey("max_tokens").ShouldBe(!capsCompletionTokens);
        question.ContainsKey("temperature").ShouldBe(!capsCompletionTokens);
    }

    [Fact]
    public async Task A_long_prompt_is_cut_for_the_question_without_splitting_a_character()
    {
        var marker = Guid.NewGuid().ToString("N");
        var prefix = $"[sim:self=comply] {marker} Tell me about the printing press. ";

        // The emoji's two UTF-16 halves straddle the cut.
        var prompt = prefix + new string('a', IntrospectionLimit - 1 - prefix.Length) + "\U0001F600" + " and the rest.";
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHttp.Json(GatewayHttp.ChatBody(prompt, "demo-comply-sampled-model")) };

        var question = JsonNode.Parse((await SelfPredictionCallAsync(request, marker)).Body!)!;

        var asked = question["messages"]![1]!["content"]!.GetValue<string>();
        asked.ShouldContain(prompt[..(IntrospectionLimit - 1)]);
        asked.ShouldNotContain(prompt[..IntrospectionLimit]);
        // A lone half would reach the provider as U+FFFD (the JSON writer replaces it), or not at all.
        asked.ShouldNotContain('\uFFFD');
        asked.Where((c, i) => char.IsHighSurrogate(c) && (i + 1 == asked.Length || !char.IsLowSurrogate(asked[i + 1]))).ShouldBeEmpty();
    }

    private const int IntrospectionLimit = RefusalGate.Gateway.Policies.SelfPrediction.IntrospectionClient.MaxPromptChars;

    /// <summary>Sends the request, waits for its record (a sampled self-prediction runs beside it) and returns the question the upstream got.</summary>
    private async Task<RefusalGate.Simulator.Hosting.ReceivedRequest> SelfPredictionCallAsync(HttpRequestMessage request, string marker)
    {
        var response = await _gateway.Http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var outcome = await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));
        outcome.SelfPrediction.ShouldNotBeNull();
        return _gateway.Main.Stats.Recent.Single(r => r.IsIntrospection && r.Body?.Contains(marker) == true);
    }
}
