using System.Security.Cryptography;
using RefusalGate.Detection.Text;
using RefusalGate.Inference.Encoding;

namespace RefusalGate.Detection.Model;

/// <summary>Locates and verifies the detector's files (manifest, head, cues, encoder) before anything loads them.</summary>
internal sealed record DetectorModelFiles(DetectorManifest Manifest, string HeadPath, string LexicalCuesPath, string EncoderPath)
{
    private const string RebuildHint = "Rebuild with onnx-models/training/detector/train.sh, or restore the file from git.";

    /// <summary>The text handling the head was trained with.</summary>
    public TextSettings TextSettings => new(
        Manifest.Text.MaxChars,
        Manifest.Text.FirstSentence.MinChars,
        Manifest.Text.FirstSentence.MaxChars,
        Manifest.Text.OpeningChars,
        string.Concat(Manifest.Text.Whitespace),
        string.Concat(Manifest.Text.Apostrophes));

    public static DetectorModelFiles Open(string modelDirectory)
    {
        var directory = Path.GetFullPath(modelDirectory);
        var manifestPath = Path.Combine(directory, "manifest.json");
        RequireFile(manifestPath, $"Set {DetectorOptions.SectionName}:ModelDirectory to the folder holding the detector manifest (onnx-models/detector). {RebuildHint}");
        var manifest = DetectorManifest.Parse(File.ReadAllText(manifestPath), manifestPath);

        var headPath = Path.Combine(directory, manifest.Head.File);
        RequireFile(headPath, RebuildHint);
        var actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(headPath)));
        if (!string.Equals(actual, manifest.Head.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new DetectorModelException(
                $"Detector head {headPath} has sha256 {actual}, but {manifestPath} expects {manifest.Head.Sha256}. "
                + $"The head and the manifest come from different builds. {RebuildHint}");
        }

        var cuesPath = Path.Combine(directory, manifest.LexicalCues);
        RequireFile(cuesPath, RebuildHint);
        var encoderPath = Path.GetFullPath(Path.Combine(directory, manifest.Encoder));
        RequireFile(encoderPath, "The encoder is built at setup and not committed. " + UseLiteModelFiles.BuildHint);
        return new DetectorModelFiles(manifest, headPath, cuesPath, encoderPath);
    }

    private static void RequireFile(string path, string fix)
    {
        if (!File.Exists(path))
        {
            throw new DetectorModelException($"Refusal detector file not found: {path}. {fix}");
        }
    }
}
