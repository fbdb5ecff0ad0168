using Microsoft.Extensions.Logging.Abstractions;
using RefusalGate.Inference.Heads;
using RefusalGate.Inference.Runtime;
using RefusalGate.Inference.Tests.Support;

namespace RefusalGate.Inference.Tests.Heads;

public sealed class OnnxHeadTests
{
    [Fact]
    public void Runs_a_head_on_a_batch_of_rows()
    {
        using var session = new OnnxRuntimeSession(RepoPaths.TestData("linear-head.onnx"), new InferenceSessionSettings(IntraOpThreads: 1), NullLogger.Instance, "hint");
        var head = new OnnxHead(session);

        var outputs = head.Run([[1f, 2f, 3f, 4f], [0f, 0f, 0f, 0f]]);

        head.InputRowSizes.ShouldBe([4]);
        // W = [[1,-1],[0.5,0.25],[-2,0],[0,3]], b = [0.1,-0.2] (onnx-models/build/make_test_head.py)
        outputs["logits"][0][0].ShouldBe(1f + 1f - 6f + 0.1f, 1e-5f);
        outputs["logits"][0][1].ShouldBe(-1f + 0.5f + 12f - 0.2f, 1e-5f);
        outputs["logits"][1].ShouldBe([0.1f, -0.2f]);
        outputs["probabilities"][1][0].ShouldBe(1f / (1f + MathF.Exp(-0.1f)), 1e-6f);
    }

    [Fact]
    public void Rejects_rows_of_the_wrong_width()
    {
        using var session = new OnnxRuntimeSession(RepoPaths.TestData("linear-head.onnx"), new InferenceSessionSettings(), NullLogger.Instance, "hint");

        Should.Throw<ArgumentException>(() => new OnnxHead(session).Run([[1f, 2f]]));
    }
}
