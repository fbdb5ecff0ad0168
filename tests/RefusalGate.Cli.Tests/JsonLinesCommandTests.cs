using System.Text.Json;
using RefusalGate.Cli.Commands;

namespace RefusalGate.Cli.Tests;

/// <summary><c>classify</c> and <c>detect</c> end to end on real ONNX models: order kept, bad lines reported, never a crash.</summary>
public sealed class JsonLinesCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("refusalgate-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<(int ExitCode, List<JsonElement> Lines)> RunAsync(string command, params string[] inputLines)
    {
        var input = Path.Combine(_directory, "in.jsonl");
        var output = Path.Combine(_directory, "out.jsonl");
        await File.WriteAllLinesAsync(input, inputLines);
        var exitCode = await RefusalGateCommandLine.RunAsync([command, "--input", input, "--output", output], TextWriter.Null);
        var lines = File.Exists(output)
            ? (await File.ReadAllLinesAsync(output)).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList()
            : [];
        return (exitCode, lines);
    }

    [Fact]
    public async Task Classify_writes_one_line_per_input_in_order_with_error_records_for_bad_lines()
    {
        var (exitCode, lines) = await RunAsync(
            "classify",
            """{"id": 1, "prompt": "What is the capital of France?"}""",
            "{broken",
            """{"id": "m", "messages": [{"role": "system", "content": "Be nice."}, {"role": "user", "content": "Tell me a joke about cats."}]}""",
            """{"id": 4, "prompt": 17}""",
            """{"id": 5, "prompt": ""}""",
            """{"id": 6, "prompt": "😀😀 \ud800 日本語のテキスト"}""",
            """{"id": 7, "prompt": "😀😀 日本語のテキスト ¿Cómo estás?"}""");

        exitCode.ShouldBe(0);
        lines.Count.ShouldBe(7);
        lines[6].GetProperty("refusal_probability").GetDouble().ShouldBeInRange(0, 1);
        lines[0].GetProperty("id").GetInt32().ShouldBe(1);
        lines[0].GetProperty("refusal_probability").GetDouble().ShouldBeInRange(0, 1);
        lines[0].GetProperty("categories").EnumerateObject().Count().ShouldBeGreaterThan(5);
        lines[1].GetProperty("line").GetInt32().ShouldBe(2);
        lines[1].GetProperty("error").GetString().ShouldNotBeNullOrEmpty();
        lines[2].GetProperty("id").GetString().ShouldBe("m");
        lines[2].TryGetProperty("predicted_refusal", out _).ShouldBeTrue();
        lines[3].GetProperty("error").GetString()!.ShouldContain("prompt");
        lines[4].GetProperty("refusal_probability").GetDouble().ShouldBeInRange(0, 1);
        lines[5].GetProperty("error").GetString()!.ShouldContain("surrogate");
    }

    [Fact]
    public async Task Classify_reads_responses_api_input_as_the_gateway_does()
    {
        var (exitCode, lines) = await RunAsync(
            "classify",
            """{"id": 1, "prompt": "How do I pick a lock?"}""",
            """{"id": 2, "input": "How do I pick a lock?"}""",
            """{"id": 3, "instructions": "Be brief.", "input": [{"role": "user", "content": [{"type": "input_text", "text": "How do I pick a lock?"}]}]}""",
            """{"id": 4, "input": [{"type": "function_call_output", "call_id": "c", "output": "{}"}]}""",
            """{"id": 5, "model": "m"}""");

        exitCode.ShouldBe(0);
        var probability = lines[0].GetProperty("refusal_probability").GetDouble();
        lines[1].GetProperty("refusal_probability").GetDouble().ShouldBe(probability);
        lines[2].GetProperty("refusal_probability").GetDouble().ShouldBe(probability);
        lines[3].GetProperty("error").GetString()!.ShouldContain("\"input\" has no user message");
        lines[4].GetProperty("error").GetString()!.ShouldContain("\"input\"");
    }

    [Fact]
    public async Task Classify_names_the_parts_it_could_not_read_as_the_gateway_does()
    {
        var (exitCode, lines) = await RunAsync(
            "classify",
            """{"id": 1, "messages": [{"role": "user", "content": [{"type": "text", "text": "What does this say?"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]}""",
            """{"id": 2, "input": [{"role": "user", "content": [{"type": "input_file", "file_id": "f"}, {"type": "input_image", "image_url": "x"}]}]}""",
            """{"id": 3, "messages": [{"role": "user", "content": "What does this say?"}]}""");

        exitCode.ShouldBe(0);
        lines[0].GetProperty("unread_content").GetString().ShouldBe("image");
        lines[0].GetProperty("refusal_probability").GetDouble().ShouldBe(lines[2].GetProperty("refusal_probability").GetDouble());
        lines[1].GetProperty("unread_content").GetString().ShouldBe("image,file");
        lines[2].TryGetProperty("unread_content", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task A_key_that_appears_twice_makes_an_error_record()
    {
        var (exitCode, lines) = await RunAsync("classify", """{"id":"d","prompt":"hello","prompt":"x"}""", """{"id": 2, "prompt": "hello"}""");

        exitCode.ShouldBe(0);
        lines[0].GetProperty("error").GetString().ShouldBe("a key appears twice");
        lines[0].GetProperty("line").GetInt32().ShouldBe(1);
        lines[1].GetProperty("refusal_probability").GetDouble().ShouldBeInRange(0, 1);
    }

    [Fact]
    public async Task Classify_fails_only_when_every_line_failed()
    {
        var (exitCode, lines) = await RunAsync("classify", "nope", "[1]");

        exitCode.ShouldBe(1);
        lines.Count.ShouldBe(2);
        lines.All(l => l.TryGetProperty("error", out var _)).ShouldBeTrue();
    }

    [Fact]
    public async Task Detect_labels_refusals_and_compliances()
    {
        var (exitCode, lines) = await RunAsync(
            "detect",
            """{"id": "r", "response": "I'm sorry, but I can't help with that request."}""",
            """{"id": "c", "response": "Sure! Preheat the oven to 180°C, mix the flour, sugar and eggs, then bake for 40 minutes.", "prompt": "How do I bake a cake?"}""",
            """{"id": "e", "response": ""}""",
            """{"id": "x"}""");

        exitCode.ShouldBe(0);
        lines[0].GetProperty("is_refusal").GetBoolean().ShouldBeTrue();
        lines[0].GetProperty("kind").GetString().ShouldBe("full_refusal");
        lines[1].GetProperty("is_refusal").GetBoolean().ShouldBeFalse();
        lines[1].GetProperty("kind").GetString().ShouldBe("compliance");
        lines[2].GetProperty("is_refusal").GetBoolean().ShouldBeFalse();
        lines[3].GetProperty("error").GetString()!.ShouldContain("response");
    }

    [Fact]
    public async Task Missing_input_file_exits_2()
    {
        var exitCode = await RefusalGateCommandLine.RunAsync(["detect", "--input", Path.Combine(_directory, "none.jsonl"), "--output", Path.Combine(_directory, "o.jsonl")], TextWriter.Null);

        exitCode.ShouldBe(2);
    }

    [Theory]
    [InlineData("no-such-directory/out.jsonl")]
    [InlineData("")] // the output is the test's directory itself
    public async Task An_output_that_cannot_be_written_exits_2_before_any_work(string relativeOutput)
    {
        var input = Path.Combine(_directory, "in.jsonl");
        await File.WriteAllTextAsync(input, "{\"id\": 1, \"response\": \"Sure.\"}\n");
        using var error = new StringWriter();

        var exitCode = await RefusalGateCommandLine.RunAsync(["detect", "--input", input, "--output", Path.Combine(_directory, relativeOutput)], error);

        exitCode.ShouldBe(2);
        error.ToString().ShouldStartWith("refusalgate: cannot write output file");
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("detect")]
    public async Task Ctrl_c_while_the_models_load_keeps_the_previous_output_and_exits_130(string command)
    {
        var input = Path.Combine(_directory, "in.jsonl");
        var output = Path.Combine(_directory, "out.jsonl");
        await File.WriteAllTextAsync(input, "{\"id\": 1, \"prompt\": \"hi\", \"response\": \"Sure.\"}\n");
        await File.WriteAllTextAsync(output, "previous\n");
        using var error = new StringWriter();

        // Cancelled before the command starts, as by a Ctrl-C during the (uninterruptible) model loading.
        var exitCode = await RefusalGateCommandLine.RunAsync([command, "--input", input, "--output", output], error, new CancellationToken(canceled: true));

        exitCode.ShouldBe(RefusalGateCommandLine.ExitInterrupted);
        error.ToString().ShouldStartWith("refusalgate: interrupted;");
        (await File.ReadAllTextAsync(output)).ShouldBe("previous\n");
        Directory.GetFiles(_directory).Select(Path.GetFileName).Order().ShouldBe(["in.jsonl", "out.jsonl"]);
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("detect")]
    public async Task Missing_model_files_exit_1_with_one_line_that_says_how_to_fix_it(string command)
    {
        var input = Path.Combine(_directory, "in.jsonl");
        await File.WriteAllTextAsync(input, "{\"id\": 1, \"prompt\": \"hi\", \"response\": \"Sure.\"}\n");
        // The encoder is there; the head's manifest (classify) or model folder (detect) is not.
        var models = Directory.CreateDirectory(Path.Combine(_directory, "no-heads")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(models, "encoder"), Path.Combine(RepositoryPaths.Root(), "onnx-models", "encoder"));
        using var error = new StringWriter();

        var exitCode = await RefusalGateCommandLine.RunAsync([command, "--input", input, "--output", Path.Combine(_directory, "out.jsonl"), "--models", models], error);

        exitCode.ShouldBe(1);
        error.ToString().ShouldStartWith("refusalgate: ");
        error.ToString().Trim().ShouldNotContain('\n');
        error.ToString().ShouldContain(models);
    }
}
