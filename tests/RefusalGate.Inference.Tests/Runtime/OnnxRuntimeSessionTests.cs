using Microsoft.Extensions.Logging;
using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Runtime;
using RefusalGate.Inference.Tests.Support;

namespace RefusalGate.Inference.Tests.Runtime;

public sealed class OnnxRuntimeSessionTests
{
    private static string HeadPath => RepoPaths.TestData("linear-head.onnx");

    [Fact]
    public void Cuda_request_falls_back_to_cpu_with_exactly_one_warning()
    {
        using var logs = new CollectingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));

        using var session = new OnnxRuntimeSession(
            HeadPath, new InferenceSessionSettings(ExecutionProviderPreference.Cuda), factory.CreateLogger("test"), "hint");

        session.ExecutionProvider.ShouldBe(OnnxRuntimeSession.CpuProvider);
        var warnings = logs.Entries.Where(e => e.Level >= LogLevel.Warning).ToList();
        warnings.Count.ShouldBe(1);
        warnings[0].Message.ShouldContain("CUDA");
        warnings[0].Message.ShouldContain("falling back to CPU");
        warnings[0].Message.ShouldNotContain("\n");
    }

    [Fact]
    public void Cpu_request_reports_cpu_without_warnings()
    {
        using var logs = new CollectingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));

        using var session = new OnnxRuntimeSession(HeadPath, new InferenceSessionSettings(IntraOpThreads: 1), factory.CreateLogger("test"), "hint");

        session.ExecutionProvider.ShouldBe("CPU");
        logs.Entries.ShouldNotContain(e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public void Missing_model_file_names_the_file_and_the_build_script()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}", UseLiteModelFiles.ModelFileName);

        var error = Should.Throw<ModelFileNotFoundException>(() =>
            new OnnxRuntimeSession(missing, new InferenceSessionSettings(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, UseLiteModelFiles.BuildHint));

        error.Message.ShouldContain(missing);
        error.Message.ShouldContain("onnx-models/build/build-encoder.sh");
        error.FileName.ShouldBe(missing);
    }

    [Fact]
    public void Factory_shares_one_session_per_model_file()
    {
        using var factory = new OnnxRuntimeSessionFactory(new InferenceSessionSettings(IntraOpThreads: 1), Microsoft.Extensions.Logging.Abstractions.NullLogger<OnnxRuntimeSession>.Instance);

        var first = factory.GetOrCreate(HeadPath, "hint");
        var second = factory.GetOrCreate(Path.Combine(Path.GetDirectoryName(HeadPath)!, ".", "linear-head.onnx"), "hint");

        second.ShouldBeSameAs(first);
    }

    [Fact]
    public void Mismatched_buffer_and_shape_are_rejected_before_running() =>
        Should.Throw<ArgumentException>(() => TensorBinding.OfFloats("x", new float[5], 2, 2));
}
