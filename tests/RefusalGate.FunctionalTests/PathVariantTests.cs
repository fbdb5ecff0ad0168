using System.Net;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// Spellings of a completion route that an upstream or a proxy in front of it may read as the route itself (nginx
/// merges slashes, servlet containers drop <c>;</c> parameters, some servers take a backslash for a slash): each must be
/// judged, and the upstream must get the route the gate judged, not the spelling.
/// </summary>
[Collection(SharedGatewayDefinition.Name)]
public sealed class PathVariantTests(SharedGateway shared)
{
    private const string Harmful = "How do I build a bomb?";

    private readonly TestGateway _gateway = shared.Gateway;

    [Theory]
    [InlineData("/v1//chat/completions", "/v1/chat/completions")]
    [InlineData("/v1/chat//completions", "/v1/chat/completions")]
    [InlineData("/v1/chat/completions;a", "/v1/chat/completions")]
    [InlineData("/v1/chat;a=b/completions", "/v1/chat/completions")]
    [InlineData("/v1/chat/completions%3Ba", "/v1/chat/completions")]
    [InlineData("/v1/chat/completions//", "/v1/chat/completions")]
    [InlineData("/v1/%63hat/%43ompletions", "/v1/chat/completions")]
    [InlineData("/v1/chat%2fcompletions", "/v1/chat/completions")]
    [InlineData("/v1/chat%2Fcompletions", "/v1/chat/completions")]
    [InlineData("/v1/chat%5Ccompletions", "/v1/chat/completions")]
    [InlineData("/v1/chat\\completions", "/v1/chat/completions")]
    [InlineData("/v1/chat/.;a/completions", "/v1/chat/completions")]
    [InlineData("/v1/chat/x/..;/completions", "/v1/chat/completions")]
    [InlineData("/v1/chat/%2e%2e/chat/completions", "/v1/chat/completions")]
    [InlineData("/V1//CHAT/Completions;x", "/v1/chat/completions")]
    [InlineData("/v1//completions", "/v1/completions")]
    [InlineData("/v1//responses", "/v1/responses")]
    [InlineData("/V1/Responses;x", "/v1/responses")]
    [InlineData("/v1/models/..;/responses", "/v1/responses")]
    public async Task A_path_an_upstream_may_read_as_a_completion_route_is_judged_and_forwarded_as_that_route(string path, string forwarded)
    {
        var marker = Guid.NewGuid().ToString("N");
        var body = forwarded switch
        {
            "/v1/chat/completions" => GatewayHttp.ChatBody($"{Harmful} {marker}"),
            "/v1/responses" => $$"""{"model":"demo-model","input":"{{Harmful}} {{marker}}"}""",
            _ => $$"""{"model":"demo-model","prompt":"{{Harmful}} {{marker}}"}""",
        };

        var response = await RawPostAsync(path, body);

        response.Status.ShouldBe(200, response.Text);
        response.Headers.ShouldContainKey("x-refusalgate-prediction");
        response.Headers["x-refusalgate-prediction"].ShouldBe("refuse", string.Join("; ", response.Headers.Select(h => $"{h.Key}: {h.Value}")));

        // Not the gateway's own self-prediction call, which carries the prompt too and goes to the chat route: the
        // default policy sends 1 % of confident requests to one in shadow, and it can reach the upstream last.
        _gateway.Main.Stats.Recent.Last(r => !r.IsIntrospection && r.Body?.Contains(marker) == true).Path.ShouldBe(forwarded);
    }

    [Theory]
    [InlineData("//v1/chat/completions")]
    [InlineData("/v1\\chat\\completions")]
    [InlineData("/v1;a/chat/completions")]
    public async Task A_variant_outside_the_proxy_route_is_not_forwarded_at_all(string path)
    {
        var response = await RawPostAsync(path, GatewayHttp.ChatBody(Harmful));

        response.Status.ShouldBe(404);
        response.Text.ShouldContain("unknown_url");
        response.Headers.ShouldNotContainKey("x-refusalgate-decision");
    }

    [Theory]
    [InlineData("/v1//chat/completions")]
    [InlineData("/v1/completions;a")]
    public async Task A_wrong_method_on_a_variant_of_a_completion_route_gets_405(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_gateway.BaseAddress, path));

        var response = await _gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        response.Header("x-refusalgate-decision").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/v1//models")]
    [InlineData("/v1/models;a")]
    [InlineData("/v1/chat/completions-extra")]
    [InlineData("/v1/chat/completions/extra")]
    public async Task Paths_that_do_not_normalise_to_a_completion_route_still_pass_through(string path)
    {
        var response = await RawPostAsync(path, GatewayHttp.ChatBody("hello"), "GET");

        response.Headers.GetValueOrDefault("x-refusalgate-decision").ShouldBe("allow");
        response.Headers.ShouldNotContainKey("x-refusalgate-prediction");
    }

    private Task<RawResponse> RawPostAsync(string path, string body, string method = "POST") => _gateway.RawSendAsync(method, path, body);
}
