using RefusalGate.Classification.Manifest;

namespace RefusalGate.Classification.Tests;

public sealed class ManifestLoaderTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("refusalgate-classifier-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public void Committed_manifest_loads_and_names_a_verified_head()
    {
        var loaded = ClassifierManifestLoader.Load(RepositoryPaths.ClassifierManifest);

        loaded.Manifest.Name.ShouldBe("prompt-refusal-classifier");
        loaded.Manifest.Categories.ShouldContain("violent_crimes");
        loaded.Manifest.Categories.Count.ShouldBeGreaterThan(5);
        loaded.Manifest.DecisionThreshold.ShouldBeInRange(0.05f, 0.95f);
        File.Exists(loaded.HeadPath).ShouldBeTrue();
        loaded.HeadPath.ShouldEndWith("prompt-refusal-head.onnx");
    }

    [Fact]
    public void Categories_match_the_policy_taxonomy()
    {
        var loaded = ClassifierManifestLoader.Load(RepositoryPaths.ClassifierManifest);
        var taxonomy = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "policies", "categories.yaml"))
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("- id: ", StringComparison.Ordinal))
            .Select(l => l["- id: ".Length..].Trim())
            .ToList();

        loaded.Manifest.Categories.ShouldBe(taxonomy);
    }

    [Fact]
    public void Missing_manifest_names_the_file_and_the_fix()
    {
        var path = Path.Combine(_temp, "manifest.json");

        var ex = Should.Throw<ClassifierManifestException>(() => ClassifierManifestLoader.Load(path));

        ex.Message.ShouldContain(path);
        ex.Message.ShouldContain("train.sh");
    }

    [Fact]
    public void Missing_head_names_the_head_file()
    {
        File.Copy(RepositoryPaths.ClassifierManifest, Path.Combine(_temp, "manifest.json"));

        var ex = Should.Throw<ClassifierManifestException>(() => ClassifierManifestLoader.Load(Path.Combine(_temp, "manifest.json")));

        ex.Message.ShouldContain(Path.Combine(_temp, "prompt-refusal-head.onnx"));
        ex.Message.ShouldContain("does not exist");
    }

    [Fact]
    public void Corrupt_head_is_rejected_by_its_sha256()
    {
        CopyCommittedFiles();
        var head = Path.Combine(_temp, "prompt-refusal-head.onnx");
        var bytes = File.ReadAllBytes(head);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(head, bytes);

        var ex = Should.Throw<ClassifierManifestException>(() => ClassifierManifestLoader.Load(Path.Combine(_temp, "manifest.json")));

        ex.Message.ShouldContain(head);
        ex.Message.ShouldContain("sha256");
        ex.Message.ShouldContain("train.sh");
    }

    [Fact]
    public void Truncated_head_is_rejected_by_its_sha256()
    {
        CopyCommittedFiles();
        var head = Path.Combine(_temp, "prompt-refusal-head.onnx");
        File.WriteAllBytes(head, File.ReadAllBytes(head)[..100]);

        Should.Throw<ClassifierManifestException>(() => ClassifierManifestLoader.Load(Path.Combine(_temp, "manifest.json")))
            .Message.ShouldContain("sha256");
    }

    [Fact]
    public void Manifest_that_is_not_json_is_reported_as_such()
    {
        var path = Path.Combine(_temp, "manifest.json");
        File.WriteAllText(path, "{ this is not json");

        var ex = Should.Throw<ClassifierManifestException>(() => ClassifierManifestLoader.Load(path));

        ex.Message.ShouldContain("not valid JSON");
        ex.Message.ShouldContain(path);
    }

    [Fact]
    public void Manifest_without_categories_or_hash_is_invalid()
    {
        var path = Path.Combine(_temp, "manifest.json");
        File.WriteAllText(path, """{"name": "x", "head": "h.onnx", "head_sha256": "abc", "categories": []}""");

        var ex = Should.Throw<ClassifierManifestException>(() => ClassifierManifestLoader.Load(path));

        ex.Message.ShouldContain("head_sha256");
        ex.Message.ShouldContain("categories");
    }

    [Fact]
    public void Tail_without_a_length_is_invalid()
    {
        var path = Path.Combine(_temp, "manifest.json");
        File.WriteAllText(path, """{"name": "x", "head": "h.onnx", "head_sha256": "abc", "categories": ["a"], "tail": {"input": "tail_embedding", "chars": 0}}""");

        Should.Throw<ClassifierManifestException>(() => ClassifierManifestLoader.Load(path)).Message.ShouldContain("'tail'");
    }

    private void CopyCommittedFiles()
    {
        foreach (var name in new[] { "manifest.json", "prompt-refusal-head.onnx" })
        {
            File.Copy(Path.Combine(RepositoryPaths.ClassifierDirectory, name), Path.Combine(_temp, name));
        }
    }
}
