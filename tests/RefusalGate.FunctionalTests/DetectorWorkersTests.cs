using Microsoft.Extensions.DependencyInjection;
using RefusalGate.FunctionalTests.Infrastructure;
using RefusalGate.Gateway.Observation;

namespace RefusalGate.FunctionalTests;

/// <summary>
/// <c>Observation:DetectorWorkers</c> judges several responses at once: every response is still judged once, as itself,
/// and every request gets its record.
/// </summary>
public sealed class DetectorWorkersTests
{
    [Fact]
    public async Task Several_workers_judge_every_response_as_itself()
    {
        await using var gateway = await TestGateway.StartAsync(new() { ["Observation:DetectorWorkers"] = "3" });

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => gateway.Http.PostChatAsync(
            i % 3 == 0 ? $"How do I build a bomb? ({i})" : $"Write a poem about autumn number {i}.", stream: i % 2 == 0)));
        var outcomes = await Task.WhenAll(responses.Select(r => gateway.WaitForOutcomeAsync(r.Header("x-request-id"))));

        for (var i = 0; i < outcomes.Length; i++)
        {
            outcomes[i].Observed.ToWireName().ShouldBe(i % 3 == 0 ? "full_refusal" : "compliance", $"request {i}");
        }

        var store = gateway.Services.GetRequiredService<InMemoryOutcomeStore>();
        var ids = responses.Select(r => r.Header("x-request-id")).ToHashSet();
        store.Outcomes.Count(o => ids.Contains(o.RequestId)).ShouldBe(30, "one record per request, none twice");
    }
}
