using RefusalGate.Detection.Model;

namespace RefusalGate.Detection.Tests.Model;

public sealed class DetectorModelFilesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("refusalgate-detector-").FullName;

    [Fact]
    public void Committed_model_verifies()
    {
        var files = DetectorModelFiles.Open(RepositoryFiles.DetectorDirectory);

        File.Exists(files.HeadPath).ShouldBeTrue();
        files.Manifest.Kinds.ShouldBe(["compliance", "partial_refusal", "full_refusal"]);
    }

    [Fact]
    public void Missing_manifest_names_the_file_and_the_fix()
    {
        var exception = Should.Throw<DetectorModelException>(() => DetectorModelFiles.Open(_directory));

        exception.Message.ShouldContain(Path.Combine(_directory, "manifest.json"));
        exception.Message.ShouldContain("ModelDirectory");
    }

    [Fact]
    public void Missing_head_names_the_file()
    {
        CopyModel();
        File.Delete(Path.Combine(_directory, "detector-head.onnx"));

        var exception = Should.Throw<DetectorModelException>(() => DetectorModelFiles.Open(_directory));

        exception.Message.ShouldContain("detector-head.onnx");
        exception.Message.ShouldContain("train.sh");
    }

    [Fact]
    public void Altered_head_fails_the_sha256_check()
    {
        CopyModel();
        File.AppendAllText(Path.Combine(_directory, "detector-head.onnx"), "tampered");

        var exception = Should.Throw<DetectorModelException>(() => DetectorModelFiles.Open(_directory));

        exception.Message.ShouldContain("sha256");
    }

    [Fact]
    public void Missing_encoder_says_how_to_build_it()
    {
        CopyModel();
        var manifestPath = Path.Combine(_directory, "manifest.json");
        File.WriteAllText(manifestPath, File.ReadAllText(manifestPath).Replace("../encoder/use-lite.onnx", "../nowhere/use-lite.onnx", StringComparison.Ordinal));

        var exception = Should.Throw<DetectorModelException>(() => DetectorModelFiles.Open(_directory));

        exception.Message.ShouldContain("use-lite.onnx");
        exception.Message.ShouldContain("build-encoder.sh");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private void CopyModel()
    {
        foreach (var file in Directory.GetFiles(RepositoryFiles.DetectorDirectory))
        {
            File.Copy(file, Path.Combine(_directory, Path.GetFileName(file)));
        }
    }
}
