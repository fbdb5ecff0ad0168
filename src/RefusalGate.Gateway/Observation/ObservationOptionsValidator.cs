using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.Observation;

/// <summary>Fails start-up with the setting named, instead of a capture or judging queue that throws on first use.</summary>
internal sealed class ObservationOptionsValidator : SettingsValidator<ObservationOptions>
{
    protected override IEnumerable<string> Failures(ObservationOptions options)
    {
        if (options.MaxCapturedBytes < 1)
        {
            yield return "Observation:MaxCapturedBytes must be >= 1 (the detector needs some of the response).";
        }

        if (options.DetectorThreads < 0)
        {
            yield return "Observation:DetectorThreads must be >= 0 (0 = the runtime's default).";
        }

        if (options.DetectorWorkers is < 1 or > ObservationOptions.MaxDetectorWorkers)
        {
            yield return $"Observation:DetectorWorkers must be between 1 and {ObservationOptions.MaxDetectorWorkers}.";
        }

        // The upper bound keeps the record backlog (ObservationQueue: 16 per queued copy) within an Int32; a million
        // queued copies of up to MaxCapturedBytes each is already far beyond any pod's memory.
        if (options.QueueCapacity is < 1 or > ObservationOptions.MaxQueueCapacity)
        {
            yield return $"Observation:QueueCapacity must be between 1 and {ObservationOptions.MaxQueueCapacity}.";
        }
    }
}
