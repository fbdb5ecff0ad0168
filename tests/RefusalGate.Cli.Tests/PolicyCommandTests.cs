using System.Diagnostics;
using RefusalGate.Cli.Commands;

namespace RefusalGate.Cli.Tests;

/// <summary><c>policy check</c>; in the console collection because the command writes to stdout.</summary>
[Collection(ConsoleRedirection.Name)]
public sealed class PolicyCommandTests
{
    [Fact]
    public void The_shipped_policies_check_clean()
    {
        var policies = Path.Combine(RepositoryPaths.Root(), "policies");
        using var output = new StringWriter();

        var exitCode = PolicyCommand.Check([policies, .. Directory.GetFiles(Path.Combine(policies, "examples"), "*.yaml")], output);

        exitCode.ShouldBe(0, output.ToString());
        output.ToString().ShouldContain($"{policies}: OK");
    }

    [Theory]
    [InlineData("categories:\n  - id: [broken\n", "3:1: YAML syntax error")]
    [InlineData("categories: 5\n", "1:13: 'categories' must be a list")]
    [InlineData("- violent_crimes\n", "1:1: The taxonomy must be a mapping")]
    [InlineData("categories:\n  - id: violent_crimes\n  - name: no id\n", "3:5: Each category needs an 'id'")]
    [InlineData("categories: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n", "1:44: YAML nested more than 32 levels deep")]
    public void A_broken_taxonomy_beside_the_policies_is_one_error_at_its_place(string taxonomy, string expected)
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policy-check-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "categories.yaml"), taxonomy);
            File.WriteAllText(Path.Combine(directory, "policy.yaml"), "version: 1\n");
            using var output = new StringWriter();

            var exitCode = PolicyCommand.Check([directory], output);

            exitCode.ShouldBe(1);
            output.ToString().Trim().ShouldStartWith($"{Path.Combine(directory, "categories.yaml")}:{expected}", Case.Sensitive);
            output.ToString().Trim().ShouldNotContain("\n");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task With_the_gateways_configuration_unknown_upstream_names_are_errors()
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policy-check-").FullName;
        try
        {
            var policy = Path.Combine(directory, "route.yaml");
            File.WriteAllText(policy, "version: 1\noverrides:\n  - name: strict-route\n    match: { upstream: strict }\n    policy: { thresholds: { refuse: 0.4 } }\n");
            var mainOnly = Path.Combine(directory, "main-only.yaml");
            File.WriteAllText(mainOnly, "gateway:\n  upstreams:\n    main: { baseUrl: http://127.0.0.1:9/v1, models: ['*'] }\n");
            var both = Path.Combine(directory, "both.json");
            File.WriteAllText(both, """{"Gateway": {"Upstreams": {"main": {"BaseUrl": "http://127.0.0.1:9/v1"}, "strict": {"BaseUrl": "http://127.0.0.1:9/v1"}}}}""");
            using var unchecked_ = new StringWriter();
            using var wrong = new StringWriter();
            using var right = new StringWriter();

            PolicyCommand.Check([policy], unchecked_).ShouldBe(0, unchecked_.ToString());
            (await RefusalGateCommandLine.RunAsync(["policy", "check", policy, "--config", mainOnly], TextWriter.Null)).ShouldBe(1);
            PolicyCommand.Check([policy], wrong, ["main"]).ShouldBe(1);
            wrong.ToString().ShouldContain($"{policy}:4:");
            wrong.ToString().ShouldContain("strict");
            (await RefusalGateCommandLine.RunAsync(["policy", "check", policy, "--config", both], TextWriter.Null)).ShouldBe(0);
            (await RefusalGateCommandLine.RunAsync(["policy", "check", policy, "--config", Path.Combine(directory, "none.yaml")], TextWriter.Null)).ShouldBe(2);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Errors_are_printed_as_file_line_column_and_exit_1()
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policy-check-").FullName;
        try
        {
            var file = Path.Combine(directory, "bad.yaml");
            File.WriteAllText(file, "version: 1\npolicy:\n  actions:\n    refuse: nope\n");
            using var output = new StringWriter();

            var exitCode = PolicyCommand.Check([file, Path.Combine(directory, "missing.yaml")], output);

            exitCode.ShouldBe(1);
            output.ToString().ShouldContain($"{file}:4:13: Unknown action 'nope'");
            output.ToString().ShouldContain("missing.yaml: no such file or directory");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Every_independent_error_is_printed_in_one_run_even_after_a_value_of_the_wrong_type()
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policy-check-").FullName;
        try
        {
            var file = Path.Combine(directory, "bad.yaml");
            File.WriteAllText(file, "version: 1\npolicy:\n  thresholds:\n    refuse: high\n  actions:\n    refuse: nope\n  categories:\n    weapons: {}\n");
            var tabs = Path.Combine(directory, "tabs.yaml");
            File.WriteAllText(tabs, "version: 1\npolicy:\n\tthresholds:\n\t\trefuse: 0.8\n");
            using var output = new StringWriter();

            PolicyCommand.Check([file, tabs], output).ShouldBe(1);

            var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
            string[] expected =
            [
                $"{file}:4:13: 'policy.thresholds.refuse' must be a number.",
                $"{file}:6:13: Unknown action 'nope' (defined: allow, annotate, block, constructive, strict).",
                $"{file}:8:5: Unknown category 'weapons' (the taxonomy has: ",
                $"{tabs}:3:1: YAML syntax error: a tab is used for indentation; YAML indents with spaces only.",
            ];
            lines.Length.ShouldBe(expected.Length, output.ToString());
            for (var i = 0; i < expected.Length; i++)
            {
                lines[i].ShouldStartWith(expected[i], Case.Sensitive, output.ToString());
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Overrides_in_different_files_are_checked_together()
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policy-check-").FullName;
        try
        {
            var tenant = Path.Combine(directory, "a-tenant.yaml");
            var route = Path.Combine(directory, "b-route.yaml");
            File.WriteAllText(tenant, "version: 1\noverrides:\n  - name: acme\n    match: { tenant: acme }\n    policy: { thresholds: { comply: 0.7 } }\n");
            File.WriteAllText(route, "version: 1\noverrides:\n  - name: strict-route\n    match: { upstream: strict }\n    policy: { thresholds: { refuse: 0.4 } }\n");
            using var output = new StringWriter();

            PolicyCommand.Check([directory], output).ShouldBe(1);
            output.ToString().ShouldContain($"{tenant}:4:22: Override 'acme' matches tenant 'acme', but there is no 'tenants' section");

            File.WriteAllText(Path.Combine(directory, "tenants.yaml"), "version: 1\ntenants: { header: x-tenant-id }\n");
            using var again = new StringWriter();

            PolicyCommand.Check([directory], again).ShouldBe(1);
            again.ToString().ShouldContain($"{tenant}:5:37: The comply threshold 0.7 from override 'acme' ({tenant}:5:37) is above the refuse threshold 0.4 from override 'strict-route' ({route}:5:37)");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Without_a_taxonomy_beside_the_files_categories_are_checked_against_the_shipped_classifier()
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policy-check-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "p.yaml"), "version: 1\npolicy:\n  categories:\n    not_a_category:\n      actions: {refuse: block}\n");
            using var output = new StringWriter();

            var exitCode = PolicyCommand.Check([directory], output);

            exitCode.ShouldBe(1);
            output.ToString().ShouldContain("Unknown category 'not_a_category'");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_named_pipe_or_a_misnamed_directory_among_the_policies_is_an_error_not_a_hang()
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policy-check-").FullName;
        var pipe = Path.Combine(directory, "pipe.yaml");
        try
        {
            File.WriteAllText(Path.Combine(directory, "policy.yaml"), "version: 1\nactions:\n  Loud: { type: allow }\n");
            Directory.CreateDirectory(Path.Combine(directory, "mounted.yaml"));
            using (var mkfifo = Process.Start("mkfifo", [pipe]))
            {
                await mkfifo.WaitForExitAsync();
            }

            using var output = new StringWriter();

            // Reading a pipe once waited for a writer (and ignored Ctrl-C): bounded so that fails instead of hanging.
            var exitCode = await Task.Run(() => PolicyCommand.Check([directory, pipe], output)).WaitAsync(TimeSpan.FromSeconds(60));

            exitCode.ShouldBe(1);
            output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.Contains("category names not checked")).ShouldBe(
            [
                $"{Path.Combine(directory, "mounted.yaml")}: Not read: this is a directory, not a policy file (a container runtime creates one when a file mounted there did not exist). Remove it, or name it without .yaml/.yml.",
                $"{pipe}: Not read: this is a named pipe (FIFO), not a regular file; reading one waits for a writer. Remove it, or name it without .yaml/.yml.",
                $"{Path.Combine(directory, "policy.yaml")}:3:3: The key 'Loud' in 'actions' does not match the pattern ^[a-z0-9][a-z0-9_-]{{0,62}}$ (lower-case letters, digits, '_' and '-').",
                $"{pipe}: Not read: this is a named pipe (FIFO), not a regular file; reading one waits for a writer. Remove it, or name it without .yaml/.yml.",
            ]);
        }
        finally
        {
            using (var release = Process.Start("sh", ["-c", $"exec 3<>'{pipe}'"]))
            {
                await release.WaitForExitAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_taxonomy_that_is_a_pipe_or_nested_without_end_is_one_error_not_a_hang_or_a_crash()
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-policy-check-").FullName;
        var taxonomy = Path.Combine(directory, "categories.yaml");
        try
        {
            File.WriteAllText(Path.Combine(directory, "policy.yaml"), "version: 1\n");

            // 100,000 brackets overflowed the stack of the taxonomy's YAML reader, ending the process.
            File.WriteAllText(taxonomy, "categories: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
            using var deep = new StringWriter();
            PolicyCommand.Check([directory], deep).ShouldBe(1);
            deep.ToString().Trim().ShouldBe($"{taxonomy}:1:44: YAML nested more than 32 levels deep; a policy file needs fewer than 10.");

            File.Delete(taxonomy);
            using (var mkfifo = Process.Start("mkfifo", [taxonomy]))
            {
                await mkfifo.WaitForExitAsync();
            }

            using var pipe = new StringWriter();
            (await Task.Run(() => PolicyCommand.Check([directory], pipe)).WaitAsync(TimeSpan.FromSeconds(60))).ShouldBe(1);
            pipe.ToString().Trim().ShouldBe($"{taxonomy}: Not read: this is a named pipe (FIFO), not a regular file; reading one waits for a writer. Replace it with the taxonomy file.");
        }
        finally
        {
            if (File.Exists(taxonomy))
            {
                using var release = Process.Start("sh", ["-c", $"exec 3<>'{taxonomy}'"]);
                await release.WaitForExitAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }
}
