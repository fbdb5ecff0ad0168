namespace RefusalGate.Classification.Hosting;

/// <summary>Configuration of the prompt classifier (section e.g. "Classifier").</summary>
public sealed class ClassifierOptions
{
    /// <summary>The classifier manifest; relative paths resolve against the current directory.</summary>
    public string ManifestPath { get; set; } = "onnx-models/classifier/manifest.json";
}
