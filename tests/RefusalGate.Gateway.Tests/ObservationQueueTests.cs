using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Gate;
using RefusalGate.Gateway.Gate.Parsing;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.Telemetry;
using RefusalGate.Inference.Hosting;

namespace RefusalGate.Gateway.Tests;

/// <summary>
/// A full detector queue drops the copy to judge and counts it, never the observation and its record; a queued
/// observation holds what the record needs, not the request.
/// </summary>
public sealed class ObservationQueueTests : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PrometheusMetricsCollector _collector;
    private readonly ObservationQueue _queue;

    public ObservationQueueTests()
    {
        var meters = _services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        _collector = new PrometheusMetricsCollector(meters);
        _queue = new ObservationQueue(Options.Create(new ObservationOptions { QueueCapacity = 2 }), new GatewayMetrics(meters, new InferenceReadiness()));
    }

    public async ValueTask DisposeAsync()
    {
        _collector.Dispose();
        await _services.DisposeAsync();
    }

    [Fact]
    public async Task Beyond_the_capacity_observations_go_through_without_their_copy_and_are_counted()
    {
        for (var i = 0; i < 5; i++)
        {
            _queue.Enqueue(Observation(judge: true));
        }

        _queue.Enqueue(Observation(judge: false));
        _queue.Complete();

        var read = await _queue.ReadAllAsync().ToListAsync();

        read.Count.ShouldBe(6);
        read.Select(o => o.Judge).ShouldBe([true, true, false, false, false, false]);
        read.Take(5).Where(o => !o.Judge).ShouldAllBe(o => o.Copy == ResponseCopy.None);
        _collector.Render().ShouldContain("refusalgate_responses_observation_dropped_total 3");
    }

    [Fact]
    public void A_stalled_judge_bounds_the_backlog_and_counts_the_records_it_drops()
    {
        // Capacity 2: at most 2 copies, and 4,096 observations in all (the floor; 16 per place would be 32); nothing is read.
        for (var i = 0; i < 4_100; i++)
        {
            _queue.Enqueue(Observation(judge: true));
        }

        var metrics = _collector.Render();
        metrics.ShouldContain("refusalgate_responses_observation_dropped_total 4098");
        metrics.ShouldContain("refusalgate_outcome_log_dropped_total 4");
    }

    [Fact]
    public async Task Taking_an_observation_to_judge_frees_its_place()
    {
        _queue.Enqueue(Observation(judge: true));
        _queue.Enqueue(Observation(judge: true));
        await using (var reader = _queue.ReadAllAsync().GetAsyncEnumerator())
        {
            (await reader.MoveNextAsync()).ShouldBeTrue();
            _queue.Enqueue(Observation(judge: true));
        }

        _queue.Complete();

        (await _queue.ReadAllAsync().ToListAsync()).ShouldAllBe(o => o.Judge);
        _collector.Render().ShouldContain("refusalgate_responses_observation_dropped_total 0");
    }

    [Fact]
    public async Task A_queued_observation_keeps_neither_the_requests_http_context_nor_its_parsed_body()
    {
        // Behind a slow detector thousands of observations wait; each must hold what its record needs, not the request.
        var (context, body) = EnqueueObservationOfAFinishedRequest();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        context.IsAlive.ShouldBeFalse();
        body.IsAlive.ShouldBeFalse();
        _queue.Complete();
        var read = (await _queue.ReadAllAsync().ToListAsync()).ShouldHaveSingleItem();
        read.Gate.RequestId.ShouldBe("request-1");
        read.Gate.LastUserMessage.ShouldBe("the question");
    }

    /// <summary>Not inlined, so nothing of the request stays on the test's stack: only the queue can keep it alive.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private (WeakReference Context, WeakReference Body) EnqueueObservationOfAFinishedRequest()
    {
        var history = string.Concat(Enumerable.Repeat("""{"role":"user","content":"earlier"},{"role":"assistant","content":"answer"},""", 100));
        var json = Encoding.UTF8.GetBytes($$"""{"model":"m","messages":[{{history}}{"role":"user","content":"the question"}]}""");
        LlmRequestParser.TryParse(json, LlmEndpoint.ChatCompletions, out var request, out _).ShouldBeTrue();
        var context = new DefaultHttpContext { TraceIdentifier = "request-1" };
        var gate = new GateContext(context, request, "main");
        context.Features.Set(gate);
        _queue.Enqueue(new PendingObservation(GatedRequest.From(gate), 200, ResponseCopy.None, false, TimeSpan.Zero, Judge: false));
        return (new WeakReference(context), new WeakReference(request.Body));
    }

    private static PendingObservation Observation(bool judge)
    {
        LlmRequestParser.TryParse("""{"model":"m","messages":[{"role":"user","content":"hi"}]}"""u8.ToArray(), LlmEndpoint.ChatCompletions, out var request, out _).ShouldBeTrue();
        return new PendingObservation(GatedRequest.From(new GateContext(new DefaultHttpContext(), request, "main")), 200, new ResponseCopy.Body("{}"u8.ToArray(), truncated: judge), false, TimeSpan.Zero, judge);
    }
}
