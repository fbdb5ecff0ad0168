using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace RefusalGate.Cli.Tests.Processes;

/// <summary>
/// The real CLI process: on failure the exit code and a single <c>refusalgate: ...</c> line on stderr, never a crash
/// (134 for an unhandled exception, 139 for a segmentation fault) or a stack trace; and what serve tells a newcomer.
/// </summary>
public sealed partial class ProcessExitTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("refusalgate-process-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static void ShouldBeOneLine(string stderr, string expected)
    {
        stderr.Trim().ShouldStartWith("refusalgate: ");
        stderr.Trim().ShouldNotContain('\n');
        stderr.ShouldContain(expected);
    }

    [Theory]
    [InlineData("serve", "--urls", "http://127.0.0.1:{0}")]
    [InlineData("simulate", "--port", "{0}")]
    public async Task A_port_in_use_exits_1_with_one_line_and_no_stack_trace(string command, string option, string value)
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var (exitCode, stdout, stderr) = await CliProcess.RunAsync(null, command, option, string.Format(CultureInfo.InvariantCulture, value, port));

        exitCode.ShouldBe(1);
        ShouldBeOneLine(stderr, "address already in use");
        stdout.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Serve_with_a_listen_address_that_is_no_url_exits_2()
    {
        var (exitCode, _, stderr) = await CliProcess.RunAsync(null, "serve", "--urls", "notaurl");

        exitCode.ShouldBe(2);
        ShouldBeOneLine(stderr, "notaurl");
    }

    [Fact]
    public async Task Serve_with_an_environment_listen_address_that_is_no_url_exits_1()
    {
        var (exitCode, _, stderr) = await CliProcess.RunAsync(new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "notaurl" }, "serve");

        exitCode.ShouldBe(1);
        ShouldBeOneLine(stderr, "ASPNETCORE_URLS");
    }

    [Theory]
    [InlineData("Recalibration__HoldoutFraction", "abc", "Recalibration:HoldoutFraction")]
    [InlineData("Recalibration__Method", "foo", "Recalibration:Method")]
    [InlineData("Gateway__MaxRequestBodyBytes", "abc", "Gateway:MaxRequestBodyBytes")]
    [InlineData("Calibration__HighConfidenceThreshold", "abc", "Calibration:HighConfidenceThreshold")]
    [InlineData("Classifier__Enabled", "abc", "Classifier:Enabled")]
    public async Task An_unparseable_setting_exits_1_naming_the_setting_and_the_value(string variable, string value, string setting)
    {
        var (exitCode, _, stderr) = await CliProcess.RunAsync(
            new Dictionary<string, string> { ["REFUSALGATE_" + variable] = value }, "serve", "--urls", "http://127.0.0.1:0");

        exitCode.ShouldBe(1);
        ShouldBeOneLine(stderr, setting);
        stderr.ShouldContain($"'{value}'");
    }

    [Fact]
    public async Task The_demo_banner_suggests_a_request_that_works_as_printed_and_says_pass_through_is_open()
    {
        using var process = CliProcess.Start(null, "serve", "--urls", "http://127.0.0.1:0");

        var banner = await process.WaitForStdoutLineAsync(line => line.StartsWith("Try: ", StringComparison.Ordinal));

        banner.ShouldNotBeNull("serve printed no 'Try:' line");
        var suggested = TryCurl().Match(banner);
        suggested.Success.ShouldBeTrue(banner);
        using var http = new HttpClient();
        using var response = await http.PostAsync(suggested.Groups["url"].Value,
            new StringContent(suggested.Groups["body"].Value, System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Headers.GetValues("x-refusalgate-prediction").ShouldBe(["refuse"]);

        // Nothing restricts pass-through by default, which lets a client skip the gate by switching API: the banner says so.
        (await process.WaitForStdoutLineAsync(line => line.StartsWith("Pass-through: ", StringComparison.Ordinal)))
            .ShouldNotBeNull().ShouldContain("forwarded unjudged");
    }

    [GeneratedRegex(@"^Try: curl -s -D - (?<url>http://\S+) -H 'Content-Type: application/json' -d '(?<body>[^']+)'$")]
    private static partial Regex TryCurl();

    [Fact]
    public async Task An_unknown_otlp_protocol_exits_1_naming_the_setting()
    {
        var (exitCode, _, stderr) = await CliProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["REFUSALGATE_Telemetry__Otlp__Endpoint"] = "http://127.0.0.1:4317",
                ["REFUSALGATE_Telemetry__Otlp__Protocol"] = "carrier-pigeon",
            },
            "serve",
            "--urls",
            "http://127.0.0.1:0");

        exitCode.ShouldBe(1);
        ShouldBeOneLine(stderr, "Telemetry:Otlp:Protocol");
    }

    // Once failed in a full-suite run with exit 0 after all 200,000 lines: that run had been started in the background
    // by a non-interactive shell, which made SIGINT ignored for everything below it, and the runtime keeps an ignored
    // SIGINT ignored. CliProcess now starts the child with SIGINT at its default action.
    [Theory]
    [InlineData("classify")]
    [InlineData("detect")]
    [InlineData("evaluate", "classify")]
    [InlineData("evaluate", "detect")]
    public async Task Ctrl_c_during_a_jsonl_run_keeps_the_previous_output_and_exits_130(params string[] command)
    {
        var input = Path.Combine(_directory, "in.jsonl");
        var output = Path.Combine(_directory, "out.jsonl");
        // Far more lines than can be processed before the interrupt arrives; every command finds its fields.
        await File.WriteAllLinesAsync(input, Enumerable.Range(0, 200_000).Select(i =>
            $$"""{"id": {{i}}, "prompt": "Tell me about the history of the city number {{i}} and its bridges.", "response": "City {{i}} has three bridges.", "refused": false}"""));
        await File.WriteAllTextAsync(output, "previous\n");

        using var process = CliProcess.Start(null, [.. command, "--input", input, "--output", output]);
        // The temporary output beside the target is created by the running command, after the process registered its
        // signal handling (first thing in Main), so from now on SIGINT cancels the run.
        while (!process.HasExited && Directory.GetFiles(_directory).Length < 3)
        {
            await Task.Delay(50);
        }

        process.HasExited.ShouldBeFalse("the run ended before its temporary output appeared");
        process.Interrupt();
        var (exitCode, _, stderr) = await process.WaitAsync();

        exitCode.ShouldBe(130, stderr);
        ShouldBeOneLine(stderr, "interrupted");
        (await File.ReadAllTextAsync(output)).ShouldBe("previous\n");
        Directory.GetFiles(_directory).Select(Path.GetFileName).Order().ShouldBe(["in.jsonl", "out.jsonl"]);
    }

    [Fact]
    public async Task The_summary_counts_error_records_among_the_lines_written()
    {
        var input = Path.Combine(_directory, "in.jsonl");
        var output = Path.Combine(_directory, "out.jsonl");
        await File.WriteAllLinesAsync(input, ["""{"id": 1, "prompt": "hello"}""", "{broken", """{"id": 3, "prompt": "hi"}"""]);

        var (exitCode, _, stderr) = await CliProcess.RunAsync(null, "classify", "--input", input, "--output", output);

        exitCode.ShouldBe(0);
        stderr.ShouldContain("3 lines written, 1 of them an error record");
    }

    [Fact]
    public async Task Evaluating_an_empty_input_says_so()
    {
        var input = Path.Combine(_directory, "in.jsonl");
        await File.WriteAllTextAsync(input, "\n");

        var (exitCode, _, stderr) = await CliProcess.RunAsync(null, "evaluate", "classify", "--input", input, "--output", Path.Combine(_directory, "out.jsonl"));

        exitCode.ShouldBe(1);
        stderr.ShouldContain("the input has no lines");
        stderr.ShouldNotContain("error records");
    }
}
