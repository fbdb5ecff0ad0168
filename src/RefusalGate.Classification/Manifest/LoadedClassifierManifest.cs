namespace RefusalGate.Classification.Manifest;

/// <summary>A validated manifest together with the absolute path of its (hash-verified) head file.</summary>
public sealed record LoadedClassifierManifest(string ManifestPath, string HeadPath, ClassifierManifest Manifest);
