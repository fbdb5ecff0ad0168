namespace RefusalGate.Detection;

/// <summary>Where the detector finds its model (bound from configuration section <c>Detector</c>).</summary>
public sealed class DetectorOptions
{
    public const string SectionName = "Detector";

    /// <summary>Folder holding manifest.json, the head and lexical-cues.json (the repository's onnx-models/detector).</summary>
    public string ModelDirectory { get; set; } = Path.Combine("onnx-models", "detector");
}
