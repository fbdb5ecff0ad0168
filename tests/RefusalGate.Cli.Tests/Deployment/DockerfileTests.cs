using System.Text.RegularExpressions;
using RefusalGate.Cli.Commands;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Hosting;

namespace RefusalGate.Cli.Tests.Deployment;

/// <summary>deploy/docker/Dockerfile read statically (no Docker engine here): what it copies, where, and what it runs.</summary>
public sealed class DockerfileTests
{
    private readonly Dockerfile _image = ContainerChecks.Image();

    [Fact]
    public void Files_copied_from_the_context_exist_and_are_not_dockerignored()
    {
        var ignored = File.ReadLines(Path.Combine(ContainerChecks.Root, ".dockerignore"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(GlobToRegex)
            .ToList();
        foreach (var source in _image.ContextCopySources)
        {
            var path = Path.Combine(ContainerChecks.Root, source);
            (File.Exists(path) || Directory.Exists(path)).ShouldBeTrue($"COPY {source}: not in the repository");
            ignored.ShouldNotContain(pattern => pattern.IsMatch(source.TrimEnd('/')), $"COPY {source}: excluded by .dockerignore");
        }
    }

    [Fact]
    public void The_entrypoint_is_the_cli_serve_command()
    {
        var entrypoint = _image.Entrypoint;

        entrypoint[0].ShouldBe("dotnet");
        Path.GetFileName(entrypoint[1]).ShouldBe($"{typeof(ServeCommand).Assembly.GetName().Name}.dll");
        entrypoint[2].ShouldBe(ServeCommand.Create().Name);
    }

    [Fact]
    public void The_image_holds_the_models_and_policies_where_the_gateway_looks()
    {
        var models = _image.Environment[ModelLocations.EnvironmentVariable];
        var defaults = ModelLocations.DefaultSettings(models);
        var encoder = defaults["Inference:ModelDirectory"]!;

        _image.CopyDestinations.ShouldContain(encoder);
        _image.CopyDestinations.ShouldContain(Path.GetDirectoryName(defaults["Classifier:ManifestPath"])!);
        _image.CopyDestinations.ShouldContain(defaults["Detector:ModelDirectory"]!);

        // The encoder of the default precision (a missing file stops start-up) and its vocabulary go to the encoder folder.
        var encoderCopy = _image.Instructions.Single(i => i.Keyword == "COPY" && i.Arguments[^1].TrimEnd('/') == encoder);
        var copied = encoderCopy.Arguments.SkipLast(1).Select(Path.GetFileName).ToList();
        copied.ShouldContain(UseLiteModelFiles.ModelFileFor(InferenceOptions.DefaultPrecision));
        copied.ShouldContain(UseLiteModelFiles.VocabularyFileName);

        // The shipped policies beside the models folder are the default policy directory.
        var policies = Path.Combine(Path.GetDirectoryName(models)!, "policies");
        _image.Instructions.ShouldContain(i => i.Keyword == "RUN" && i.Text.Contains($"mkdir -p {policies}", StringComparison.Ordinal));
    }

    [Fact]
    public void The_port_is_the_one_the_manifests_use()
    {
        var exposed = int.Parse(_image.FinalStage.Single(i => i.Keyword == "EXPOSE").Arguments[0], System.Globalization.CultureInfo.InvariantCulture);

        new Uri(_image.Environment["ASPNETCORE_URLS"]).Port.ShouldBe(exposed);
        new KubernetesManifest(ContainerChecks.SidecarPath).Container("refusalgate").ContainerPort.ShouldBe(exposed);
        new HelmChart(ContainerChecks.ChartDirectory).Container().ContainerPort.ShouldBe(exposed);
    }

    /// <summary>A .dockerignore pattern (Go filepath.Match plus <c>**</c>) as a regex over context-relative paths and their parents.</summary>
    private static Regex GlobToRegex(string pattern)
    {
        var body = Regex.Escape(pattern.TrimEnd('/'))
            .Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal);
        return new Regex($"^{body}(/.*)?$");
    }
}
