using RefusalGate.Cli.Commands;

namespace RefusalGate.Cli.Tests;

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
}
