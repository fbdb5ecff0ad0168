using System.Diagnostics;
using Xunit.Abstractions;

namespace RefusalGate.Detection.Tests;

/// <summary>Reports (never asserts) the single-request latency of a ~128-token response, for the model card.</summary>
[Collection(DetectorTestGroup.Name)]
public sealed class DetectorLatencyReport
{
    private readonly IResponseRefusalDetector _detector;
    private readonly ITestOutputHelper _output;

    public DetectorLatencyReport(DetectorFixture fixture, ITestOutputHelper output)
    {
        _detector = fixture.Detector;
        _output = output;
    }

    [Fact]
    public async Task Reports_p50_latency_of_a_128_token_response()
    {
        const string response = "I'm sorry, but I can't help with that request. Creating or distributing malware is illegal and can cause serious harm to "
            + "individuals and organisations, including data loss, financial damage and privacy violations. If you are interested in cybersecurity, "
            + "I'd be happy to point you towards legitimate resources: consider studying for a certification such as CompTIA Security+, practising on "
            + "capture-the-flag platforms, or setting up a home lab to learn how defenders detect and stop attacks. Let me know if you would like a study plan.";
        for (var i = 0; i < 20; i++)
        {
            await _detector.DetectAsync(response, null, CancellationToken.None);
        }

        var samples = new double[200];
        for (var i = 0; i < samples.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await _detector.DetectAsync(response, null, CancellationToken.None);
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(samples);
        _output.WriteLine($"detector latency p50 {samples[100]:F3} ms, p90 {samples[180]:F3} ms, p99 {samples[198]:F3} ms (n=200, {Environment.ProcessorCount} cores)");
        samples[0].ShouldBeGreaterThan(0);
    }
}
