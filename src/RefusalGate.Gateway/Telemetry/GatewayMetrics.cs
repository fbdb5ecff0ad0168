using System.Diagnostics.Metrics;
using RefusalGate.Inference.Hosting;

namespace RefusalGate.Gateway.Telemetry;

/// <summary>
/// The gateway's instruments (System.Diagnostics.Metrics, exported in Prometheus text by <c>/metrics</c>). Labels are
/// bounded sets only: decisions, kinds, categories and configured upstream/model names — never prompts or request ids.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "RefusalGate.Gateway";

    private readonly Counter<long> _requests;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _unreadContent;
    private readonly Counter<long> _observed;
    private long _observationsDropped;
    private long _outcomeLogWritten;
    private long _outcomeLogRetried;
    private long _outcomeLogDropped;
    private readonly Meter _meter;
    private readonly Histogram<double> _classifierDuration;
    private readonly Histogram<double> _detectorDuration;
    private readonly Histogram<double> _gateDuration;
    private readonly Histogram<double> _upstreamDuration;
    private readonly Histogram<long> _tokenUsage;
    private readonly ModelLabels _models = new(maxModels: 50);

    public GatewayMetrics(IMeterFactory meterFactory, InferenceReadiness inference)
    {
        var meter = _meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge(
            "refusalgate.onnx.execution_provider",
            () => new Measurement<int>(1, new KeyValuePair<string, object?>("provider", inference.ExecutionProvider)),
            description: "The ONNX Runtime execution provider the models run on (value 1; the provider is the label).");
        _requests = meter.CreateCounter<long>("refusalgate.gate.requests", "{request}", "Completion requests through the gate, by decision.");
        _rejected = meter.CreateCounter<long>("refusalgate.gate.rejected", "{request}", "Completion requests answered before the gate's stages (a body that is not JSON, too large or undecodable; a client that left while sending it), by error code.");
        _unreadContent = meter.CreateCounter<long>("refusalgate.gate.unread_content", "{request}", "Completion requests whose last user message had parts the classifier cannot read, by kind (image, audio, file, other).");
        _observed = meter.CreateCounter<long>("refusalgate.responses.observed", "{response}", "Upstream responses by what they actually were (refusal detector).");
        // Observable, so they are exported (at 0) from start-up: an alert on a loss has a series before the first loss.
        meter.CreateObservableCounter("refusalgate.responses.observation_dropped", () => Interlocked.Read(ref _observationsDropped), "{response}", "Responses not judged because the detector queue was full.");
        meter.CreateObservableCounter("refusalgate.outcome_log.written", () => Interlocked.Read(ref _outcomeLogWritten), "{record}", "Outcome records written to the Redis stream.");
        meter.CreateObservableCounter("refusalgate.outcome_log.retried", () => Interlocked.Read(ref _outcomeLogRetried), "{record}", "Outcome record writes retried because Redis failed or was away.");
        meter.CreateObservableCounter("refusalgate.outcome_log.dropped", () => Interlocked.Read(ref _outcomeLogDropped), "{record}", "Outcome records dropped because the buffer was full, Redis was away at shutdown, Redis rejected them (a key of another type), or the observation backlog was full (a stalled detector).");
        _classifierDuration = meter.CreateHistogram<double>("refusalgate.classifier.duration", "s", "Prompt classification time on the request path.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] });
        _gateDuration = meter.CreateHistogram<double>("refusalgate.gate.duration", "s", "Time from reading the request body to the forwarding decision (parse, stages, classifier).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] });
        _upstreamDuration = meter.CreateHistogram<double>("gen_ai.client.operation.duration", "s", "GenAI operation duration: forwarding to the end of the upstream's answer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });
        _tokenUsage = meter.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Tokens the upstream reported per call, by gen_ai.token.type.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144] });
        _detectorDuration = meter.CreateHistogram<double>("refusalgate.detector.duration", "s", "Response refusal detection time (off the request path).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] });
    }

    /// <summary>
    /// Time to the end of the upstream's answer and the tokens it reported, in the OpenTelemetry GenAI semantic
    /// conventions (<c>gen_ai.client.operation.duration</c>, <c>gen_ai.client.token.usage</c>); the provider is the
    /// configured upstream name.
    /// </summary>
    public void UpstreamCall(string upstream, string model, string operation, TimeSpan duration, int? inputTokens, int? outputTokens)
    {
        var modelLabel = _models.Label(model);
        _upstreamDuration.Record(
            duration.TotalSeconds,
            new KeyValuePair<string, object?>("gen_ai.provider.name", upstream),
            new KeyValuePair<string, object?>("gen_ai.request.model", modelLabel),
            new KeyValuePair<string, object?>("gen_ai.operation.name", operation));
        RecordTokens(upstream, modelLabel, operation, "input", inputTokens);
        RecordTokens(upstream, modelLabel, operation, "output", outputTokens);
    }

    public void GateDuration(TimeSpan duration) => _gateDuration.Record(duration.TotalSeconds);

    public void RequestGated(string decision) => _requests.Add(1, new KeyValuePair<string, object?>("decision", decision));

    /// <summary>The code is the OpenAI-style error's (a fixed set in <c>OpenAiError</c>), or <c>client_closed_request</c>.</summary>
    public void RequestRejected(string code) => _rejected.Add(1, new KeyValuePair<string, object?>("code", code));

    /// <summary>One count per kind the request carried (a message with an image and a file counts under both).</summary>
    public void UnreadContent(string kind) => _unreadContent.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void ResponseObserved(string kind, string model) =>
        _observed.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("model", _models.Label(model)));

    public void ObservationDropped() => Interlocked.Increment(ref _observationsDropped);

    public void OutcomeLogWritten(int records) => Interlocked.Add(ref _outcomeLogWritten, records);

    public void OutcomeLogRetried(int records) => Interlocked.Add(ref _outcomeLogRetried, records);

    public void OutcomeLogDropped(int records) => Interlocked.Add(ref _outcomeLogDropped, records);

    /// <summary>Reports the outcome-log buffer depth at every scrape.</summary>
    public void ObserveOutcomeLogBuffer(Func<int> depth) =>
        _meter.CreateObservableGauge("refusalgate.outcome_log.buffered", depth, "{record}", "Outcome records waiting to be written to Redis.");

    public void ClassifierDuration(TimeSpan duration) => _classifierDuration.Record(duration.TotalSeconds);

    public void DetectorDuration(TimeSpan duration) => _detectorDuration.Record(duration.TotalSeconds);

    private void RecordTokens(string upstream, string model, string operation, string type, int? tokens)
    {
        if (tokens is { } count)
        {
            _tokenUsage.Record(
                count,
                new KeyValuePair<string, object?>("gen_ai.provider.name", upstream),
                new KeyValuePair<string, object?>("gen_ai.request.model", model),
                new KeyValuePair<string, object?>("gen_ai.operation.name", operation),
                new KeyValuePair<string, object?>("gen_ai.token.type", type));
        }
    }
}
