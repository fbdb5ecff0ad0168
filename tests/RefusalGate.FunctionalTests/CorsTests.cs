using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// <c>Gateway:Cors</c>: with origins configured the gateway answers preflights itself and gives every response to an
/// allowed origin the same CORS headers, so a browser's code can read the gateway's own answers (errors, blocks) too.
/// </summary>
public sealed class CorsTests : IAsyncLifetime
{
    private const string App = "https://app.example.com";
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() =>
        _gateway = await TestGateway.StartAsync(new() { ["Gateway:Cors:AllowedOrigins:0"] = App });

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_preflight_is_answered_by_the_gateway_and_not_forwarded()
    {
        var before = _gateway.Main.Stats.Recent.Count;
        using var request = new HttpRequestMessage(HttpMethod.Options, "v1/chat/completions");
        request.Headers.Add("Origin", App);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization, content-type");

        using var response = await _gateway.Http.SendAsync(request);

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        response.Header("Access-Control-Allow-Origin").ShouldBe(App);
        response.Header("Access-Control-Allow-Headers").ShouldBe("authorization, content-type");
        response.Header("Access-Control-Allow-Methods").ShouldContain("POST");
        _gateway.Main.Stats.Recent.Count.ShouldBe(before);
    }

    [Fact]
    public async Task The_gateways_own_error_and_a_forwarded_answer_both_carry_the_headers()
    {
        using var error = await SendAsync("{not json", App);
        using var answer = await SendAsync(GatewayHttp.ChatBody("Tell me about tides"), App);

        error.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        answer.StatusCode.ShouldBe(HttpStatusCode.OK);
        foreach (var response in new[] { error, answer })
        {
            response.Header("Access-Control-Allow-Origin").ShouldBe(App);
            response.Header("Access-Control-Expose-Headers").ShouldStartWith("*, x-request-id");
            response.Header("Access-Control-Expose-Headers").ShouldContain("x-refusalgate-decision");
        }
    }

    [Fact]
    public async Task Another_origin_gets_no_cors_headers()
    {
        using var response = await SendAsync(GatewayHttp.ChatBody("Tell me about tides"), "https://evil.example");

        response.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();
    }

    [Fact]
    public async Task The_providers_own_cors_headers_are_replaced_not_doubled()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(app => app.MapPost("/v1/chat/completions", (HttpContext context) =>
        {
            context.Response.Headers.AccessControlAllowOrigin = "*";
            context.Response.Headers.AccessControlExposeHeaders = "x-provider-only";
            return context.Response.WriteAsync("""{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hi."},"finish_reason":"stop"}]}""");
        }));
        await using var gateway = await ScriptedUpstream.StartGatewayAsync(upstream, 65536, new() { ["Gateway:Cors:AllowedOrigins:0"] = App });
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHttp.Json(GatewayHttp.ChatBody("hi", "long-model")) };
        request.Headers.Add("Origin", App);

        using var response = await gateway.Http.SendAsync(request);

        response.Headers.GetValues("Access-Control-Allow-Origin").ShouldBe([App]);
        response.Header("Access-Control-Expose-Headers").ShouldNotContain("x-provider-only");
    }

    private Task<HttpResponseMessage> SendAsync(string body, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = GatewayHttp.Json(body) };
        request.Headers.Add("Origin", origin);
        return _gateway.Http.SendAsync(request);
    }
}
