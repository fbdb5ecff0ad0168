using System.Text.Json;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests.Policies;

/// <summary>
/// A request with an image (or audio, or a file) the classifier cannot read is never confidently answered on its text
/// alone: by default it is uncertain, without asking the model (which would read the same text); a policy with
/// <c>unreadContent: classify</c> lets the text decide.
/// </summary>
public sealed class UnreadContentTests(PolicyGateway fixture) : IClassFixture<PolicyGateway>
{
    private readonly TestGateway _gateway = fixture.Gateway;

    [Fact]
    public async Task An_image_moves_a_request_from_the_comply_zone_to_the_uncertain_one_without_a_self_prediction()
    {
        var before = _gateway.Main.Stats.Recent.Count(r => r.IsIntrospection);

        var response = await PostAsync("demo-comply-unread", WithImage("What does the sign in this picture say?"));

        response.Header("x-refusalgate-unread-content").ShouldBe("image");
        response.Header("x-refusalgate-zone").ShouldBe("uncertain");
        response.Header("x-refusalgate-decision").ShouldBe("block");
        response.Headers.Contains("x-refusalgate-self-prediction").ShouldBeFalse();
        _gateway.Main.Stats.Recent.Count(r => r.IsIntrospection).ShouldBe(before);
        var outcome = await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"));
        outcome.UnreadContent.ShouldBe("image");
        outcome.Zone.ShouldBe("uncertain");
    }

    [Fact]
    public async Task The_same_text_without_the_image_is_answered()
    {
        var response = await PostAsync("demo-comply-unread", "What does the sign in this picture say?");

        response.Headers.Contains("x-refusalgate-unread-content").ShouldBeFalse();
        response.Header("x-refusalgate-zone").ShouldBe("comply");
        response.Header("x-refusalgate-decision").ShouldBe("allow");
        (await _gateway.WaitForOutcomeAsync(response.Header("x-request-id"))).UnreadContent.ShouldBeNull();
    }

    [Fact]
    public async Task Unread_content_classify_lets_the_text_decide()
    {
        var response = await PostAsync("demo-comply-unread-classify", WithImage("What does the sign in this picture say?"));

        response.Header("x-refusalgate-unread-content").ShouldBe("image");
        response.Header("x-refusalgate-zone").ShouldBe("comply");
        response.Header("x-refusalgate-decision").ShouldBe("allow");
    }

    [Fact]
    public async Task A_responses_api_file_and_image_are_named()
    {
        var body = JsonSerializer.Serialize(new
        {
            model = "demo-comply-unread",
            input = new object[]
            {
                new
                {
                    role = "user",
                    content = new object[]
                    {
                        new { type = "input_text", text = "Summarise these." },
                        new { type = "input_image", image_url = "data:image/png;base64,AAAA" },
                        new { type = "input_file", file_id = "file-1" },
                    },
                },
            },
        });

        var response = await _gateway.Http.PostAsync("v1/responses", GatewayHttp.Json(body));

        response.Header("x-refusalgate-unread-content").ShouldBe("image,file");
        response.Header("x-refusalgate-decision").ShouldBe("block");
        var metrics = new PrometheusExposition(await _gateway.Http.GetStringAsync("metrics"));
        metrics.Sum("refusalgate_gate_unread_content_total", labels => labels["kind"] == "file").ShouldBeGreaterThanOrEqualTo(1);
        metrics.Sum("refusalgate_gate_unread_content_total", labels => labels["kind"] == "image").ShouldBeGreaterThanOrEqualTo(1);
    }

    private static object[] WithImage(string text) =>
    [
        new { type = "text", text },
        new { type = "image_url", image_url = new { url = "data:image/png;base64,AAAA" } },
    ];

    private Task<HttpResponseMessage> PostAsync(string model, object content) =>
        _gateway.Http.PostAsync("v1/chat/completions", GatewayHttp.Json(JsonSerializer.Serialize(new
        {
            model,
            messages = new[] { new { role = "user", content } },
        })));
}
