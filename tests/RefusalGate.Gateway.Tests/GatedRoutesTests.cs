using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.Gate.Parsing;

namespace RefusalGate.Gateway.Tests;

/// <summary>Which paths the gate judges: the Responses API's create call as leniently as the completion routes.</summary>
public sealed class GatedRoutesTests
{
    [Theory]
    [InlineData("/v1/chat/completions", LlmEndpoint.ChatCompletions)]
    [InlineData("/v1/completions", LlmEndpoint.Completions)]
    [InlineData("/v1/responses", LlmEndpoint.Responses)]
    [InlineData("/v1//responses", LlmEndpoint.Responses)]
    [InlineData("/V1/Responses;x", LlmEndpoint.Responses)]
    [InlineData("/v1/responses/", LlmEndpoint.Responses)]
    [InlineData("/v1\\responses", LlmEndpoint.Responses)]
    [InlineData("/v1/models%2F..%2Fresponses", LlmEndpoint.Responses)]
    [InlineData("/v1/models/..;/responses", LlmEndpoint.Responses)]
    public void A_generation_route_is_matched_in_any_spelling(string path, LlmEndpoint endpoint) => GatedRoutes.Match(path).ShouldBe(endpoint);

    [Fact]
    public void A_judged_responses_request_is_forwarded_to_the_route_itself() =>
        GatedRoutes.CanonicalPath(LlmEndpoint.Responses).Value.ShouldBe("/v1/responses");

    [Theory]
    [InlineData("/v1/responses/resp_123")]
    [InlineData("/v1/responses/resp_123/cancel")]
    [InlineData("/v1/responses/resp_123/input_items")]
    [InlineData("/v1/responses-extra")]
    [InlineData("/v1/models")]
    public void The_responses_apis_other_calls_are_not_judged(string path) => GatedRoutes.Match(path).ShouldBeNull();
}
