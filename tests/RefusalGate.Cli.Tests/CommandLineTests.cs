using RefusalGate.Cli.Commands;

namespace RefusalGate.Cli.Tests;

[Collection(ConsoleRedirection.Name)]
public sealed class CommandLineTests
{
    private static async Task<(int ExitCode, string Error)> RunAsync(params string[] args)
    {
        using var error = new StringWriter();
        var exitCode = await RefusalGateCommandLine.RunAsync(args, error);
        return (exitCode, error.ToString());
    }

    [Theory]
    [InlineData("serve", "--no-such-flag")]
    [InlineData("simulate")]
    [InlineData("simulate", "--port", "70000")]
    [InlineData("simulate", "--port", "abc")]
    [InlineData("serve", "--upstream", "not a url")]
    [InlineData("launch-rockets")]
    public async Task Bad_arguments_exit_2_with_a_one_line_reason(params string[] args)
    {
        var (exitCode, error) = await RunAsync(args);

        exitCode.ShouldBe(2);
        error.Trim().ShouldStartWith("refusalgate: ");
        error.Trim().ShouldNotContain('\n');
    }

    [Theory]
    [InlineData("evaluate classify --input x --output y", "0.3")]
    [InlineData("evaluate classify --input x --output y", "1.5")]
    [InlineData("evaluate detect --input x --output y", "abc")]
    [InlineData("report", "3")]
    [InlineData("report", "0.2")]
    [InlineData("report", "abc")]
    public async Task A_high_confidence_threshold_outside_one_half_to_one_is_a_usage_error(string command, string threshold)
    {
        var (exitCode, error) = await RunAsync([.. command.Split(' '), "--high-confidence", threshold]);

        exitCode.ShouldBe(2);
        error.ShouldContain("--high-confidence");
        error.Trim().ShouldNotContain('\n');
    }

    [Fact]
    public async Task A_mistyped_command_is_named()
    {
        var (exitCode, error) = await RunAsync("frobnicate");

        exitCode.ShouldBe(2);
        error.ShouldContain("'frobnicate'");
    }

    [Fact]
    public async Task A_port_in_use_exits_1_with_a_one_line_reason()
    {
        using var occupant = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((System.Net.IPEndPoint)occupant.LocalEndpoint).Port;

        var (exitCode, error) = await RunAsync("simulate", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        exitCode.ShouldBe(1);
        error.Trim().ShouldStartWith("refusalgate: Failed to bind");
        error.Trim().ShouldNotContain('\n');
    }

    [Fact]
    public async Task Demo_and_upstream_exclude_each_other()
    {
        var (exitCode, error) = await RunAsync("serve", "--demo", "--upstream", "http://127.0.0.1:1/v1");

        exitCode.ShouldBe(2);
        error.ShouldContain("--demo and --upstream");
    }

    [Fact]
    public async Task Missing_config_file_exits_2()
    {
        var (exitCode, error) = await RunAsync("serve", "--config", "/nonexistent/gateway.yaml");

        exitCode.ShouldBe(2);
        error.ShouldContain("/nonexistent/gateway.yaml");
    }

    [Fact]
    public async Task Invalid_rules_file_exits_2()
    {
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, "refusals:\n  - patterns: ['(']\n");
        try
        {
            var (exitCode, error) = await RunAsync("simulate", "--port", "1", "--rules", path);

            exitCode.ShouldBe(2);
            error.ShouldContain("invalid pattern");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("simulate")]
    public async Task Every_subcommand_has_help(string command)
    {
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            (await RunAsync(command, "--help")).ExitCode.ShouldBe(0);
        }
        finally
        {
            Console.SetOut(original);
        }

        output.ToString().ShouldContain("Usage:");
    }

    [Fact]
    public async Task Detect_help_names_every_output_field_it_writes()
    {
        // detect writes "reason" (safety, capability, opinion) for a refusal; its --help listed the other fields only.
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            (await RunAsync("detect", "--help")).ExitCode.ShouldBe(0);
        }
        finally
        {
            Console.SetOut(original);
        }

        output.ToString().ShouldContain("\"reason\"");
    }
}
