using System.Text.Json;

namespace RefusalGate.Classification.Tests;

/// <summary>
/// The C# pipeline (C# tokenizer, ONNX encoder, ONNX head) must give the probabilities the python
/// training pipeline computed (torch encoder port, numpy head) for the stored examples in
/// TestData/python-vectors.json, written by onnx-models/training/classifier/train.sh.
/// </summary>
public sealed class PythonParityTests(ClassifierFixture fixture) : IClassFixture<ClassifierFixture>
{
    // The torch and ONNX encoders agree to ~1e-6 per dimension; through the head that stays far below this.
    private const float Tolerance = 2e-3f;

    [Fact]
    public async Task Csharp_pipeline_matches_the_python_pipeline()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "python-vectors.json");
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(path));
        var root = document.RootElement;
        root.GetProperty("head_sha256").GetString().ShouldBe(fixture.Onnx.Manifest.Manifest.HeadSha256, "test vectors are from another head: re-run train.sh");
        var categories = root.GetProperty("categories").EnumerateArray().Select(e => e.GetString()!).ToList();
        var cases = root.GetProperty("cases").EnumerateArray().ToList();
        cases.Count.ShouldBeGreaterThan(5);

        foreach (var testCase in cases)
        {
            var text = testCase.GetProperty("text").GetString()!;
            var prediction = await fixture.Classifier.ClassifyAsync(text, CancellationToken.None);

            prediction.RefusalProbability.ShouldBe(testCase.GetProperty("refusal_probability").GetSingle(), Tolerance, text);
            var expected = testCase.GetProperty("category_probabilities").EnumerateArray().Select(e => e.GetSingle()).ToList();
            for (var c = 0; c < categories.Count; c++)
            {
                prediction.Categories[categories[c]].ShouldBe(expected[c], Tolerance, $"{text} / {categories[c]}");
            }
        }
    }
}
