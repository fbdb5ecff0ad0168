namespace RefusalGate.Gateway.Observation;

/// <summary>The <c>Observation</c> section: how responses are captured and judged after they reach the client.</summary>
public sealed class ObservationOptions
{
    public const string SectionName = "Observation";

    /// <summary>Run the refusal detector on responses. Off, every request is still recorded, with actual <c>not_judged</c> (not scored).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How much of a JSON response body is copied for the detector (its start), and the longest SSE line held whole (a
    /// stream keeps only its text, see <see cref="ResponseCaptureStream.StreamTextChars"/>). A longer body or line is read
    /// on as it passes for what the judge reads at its end (<see cref="ForwardJsonReader"/>); the client always gets all of it.
    /// </summary>
    public int MaxCapturedBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// ONNX Runtime threads of the detector's own encoder session. One (the default) leaves the other cores to the
    /// request path, so background judging does not slow down classification of new requests.
    /// </summary>
    public int DetectorThreads { get; set; } = 1;

    /// <summary>The largest <see cref="DetectorWorkers"/> the validator accepts.</summary>
    public const int MaxDetectorWorkers = 64;

    /// <summary>
    /// Responses judged at once, each batch on its own detector run (of <see cref="DetectorThreads"/> threads). One (the
    /// default) keeps judging to one core beside the request path; on a larger machine more workers judge more responses
    /// a second when traffic outruns one (the <c>models</c> bench: two workers judge about twice as many as one on two
    /// idle cores), at the price of the cores they take.
    /// </summary>
    public int DetectorWorkers { get; set; } = 1;

    /// <summary>The largest <see cref="QueueCapacity"/> the validator accepts.</summary>
    public const int MaxQueueCapacity = 1 << 20;

    /// <summary>Responses waiting for the detector; when full, new ones are dropped and counted, never waited for.</summary>
    public int QueueCapacity { get; set; } = 4096;
}
