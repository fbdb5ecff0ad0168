using System.Text.Json;
using RefusalGate.Classification.Text;

namespace RefusalGate.Classification.Tests;

/// <summary>
/// The C# pipeline (C# tokenizer, ONNX encoder, ONNX head) must give the probabilities the python
/// training pipeline computed (torch encoder port, numpy head) for the stored examples in
/// TestData/python-vectors.json, written by onnx-models/training/classifier/train.sh.
/// </summary>
public sealed class PythonParityTests(Fp32ClassifierFixture fp32, ClassifierFixture quantised)
    : IClassFixture<Fp32ClassifierFixture>, IClassFixture<ClassifierFixture>
{
    // The torch and ONNX fp32 encoders agree to ~1e-6 per dimension; through the head that stays far below this.
    private const float Fp32Tolerance = 2e-3f;

    // The int8 encoder (the default) moves probabilities by 0.005 at the median and 0.05 at the 99th percentile over
    // the whole training pool (onnx-models/precision-check.json).
    private const float Int8Tolerance = 0.05f;

    [Fact]
    public Task Fp32_pipeline_matches_the_python_pipeline() => MatchesAsync(fp32, Fp32Tolerance);

    [Fact]
    public Task Int8_pipeline_stays_close_to_the_python_pipeline() => MatchesAsync(quantised, Int8Tolerance);

    private static async Task MatchesAsync(ClassifierFixture fixture, float tolerance)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "python-vectors.json");
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var root = document.RootElement;
        root.GetProperty("head_sha256").GetString().ShouldBe(fixture.Onnx.Manifest.Manifest.HeadSha256, "test vectors are from another head: re-run train.sh");
        var categories = root.GetProperty("categories").EnumerateArray().Select(e => e.GetString()!).ToList();
        var cases = root.GetProperty("cases").EnumerateArray().ToList();
        cases.Count.ShouldBeGreaterThan(5);

        var tail = fixture.Onnx.Manifest.Manifest.Tail.ShouldNotBeNull();
        cases.ShouldContain(c => c.GetProperty("tail").GetString() != c.GetProperty("text").GetString()!.Trim(), "no vector exercises the tail");
        foreach (var testCase in cases)
        {
            var text = testCase.GetProperty("text").GetString()!;
            PromptTail.Of(text.Trim(), tail).ShouldBe(testCase.GetProperty("tail").GetString(), text);
            var prediction = await fixture.Classifier.ClassifyAsync(text, CancellationToken.None);

            prediction.RefusalProbability.ShouldBe(testCase.GetProperty("refusal_probability").GetSingle(), tolerance, text);
            var expected = testCase.GetProperty("category_probabilities").EnumerateArray().Select(e => e.GetSingle()).ToList();
            for (var c = 0; c < categories.Count; c++)
            {
                prediction.Categories[categories[c]].ShouldBe(expected[c], tolerance, $"{text} / {categories[c]}");
            }
        }
    }
}
