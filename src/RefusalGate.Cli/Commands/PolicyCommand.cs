using System.CommandLine;
using Microsoft.Extensions.Configuration;
using RefusalGate.Classification.Manifest;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Gateway.Policies.Loading;

namespace RefusalGate.Cli.Commands;

/// <summary><c>policy check PATH...</c>: validates policy files the way the gateway will, before they are deployed.</summary>
public static class PolicyCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("path")
        {
            Description = "Policy files (each checked on its own) or directories (checked together, as the gateway loads them).",
            Arity = ArgumentArity.OneOrMore,
        };
        var config = new Option<FileInfo?>("--config")
        {
            Description = "The gateway's configuration file (as for serve --config; REFUSALGATE_* variables apply too): upstream names in the policies are checked against its upstreams.",
        };
        var check = new Command("check", "Check policy files against the schema and the taxonomy; every error is printed as file:line:column. Exit code 1 on errors.")
        {
            paths, config,
        };
        check.SetAction(parse => Check(parse.GetValue(paths)!, Console.Out, UpstreamsOf(parse.GetValue(config))));
        return new Command("policy", "Work with policy files.") { check };
    }

    /// <summary>
    /// Checks every path and prints one line per error (or an OK line per set); returns the exit code. Upstream names are
    /// checked only when <paramref name="upstreams"/> (a gateway configuration's) are given.
    /// </summary>
    public static int Check(IReadOnlyList<string> paths, TextWriter output, IReadOnlyCollection<string>? upstreams = null)
    {
        var failed = false;
        foreach (var path in paths)
        {
            PolicyLoadResult result;
            var directory = Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!;
            PolicyLoadContext context;
            try
            {
                context = ContextFor(directory) with { Upstreams = upstreams };
            }
            catch (PolicyTaxonomyException ex)
            {
                // Without the taxonomy the category names cannot be checked: the file itself is the first thing to fix.
                output.WriteLine(ex.Diagnostic);
                failed = true;
                continue;
            }

            if (context.Categories is null)
            {
                output.WriteLine($"{path}: category names not checked: no {PolicyLoader.TaxonomyFileName} beside the files and no onnx-models folder found (set {ModelLocations.EnvironmentVariable})");
            }

            if (Directory.Exists(path))
            {
                result = PolicyLoader.LoadDirectory(path, context);
            }
            else if (File.Exists(path))
            {
                result = PolicyLoader.LoadFiles([path], context);
            }
            else
            {
                output.WriteLine($"{path}: no such file or directory");
                failed = true;
                continue;
            }

            foreach (var error in result.Errors)
            {
                output.WriteLine(error);
            }

            if (result.Policies is { } set)
            {
                output.WriteLine($"{path}: OK ({set.Files.Count} file(s), {set.Actions.Count} actions, {set.OverrideCount} overrides)");
            }
            else
            {
                failed = true;
            }
        }

        return failed ? RefusalGateCommandLine.ExitFailure : RefusalGateCommandLine.ExitOk;
    }

    /// <summary>The upstream names of a gateway configuration file, read as <c>serve --config</c> reads it; null without one.</summary>
    private static IReadOnlyCollection<string>? UpstreamsOf(FileInfo? config)
    {
        if (config is null)
        {
            return null;
        }

        if (!config.Exists)
        {
            throw new CommandLineUsageException($"configuration file '{config.FullName}' does not exist.");
        }

        var configuration = GatewayHost.AddConfigurationFile(new ConfigurationBuilder(), config.FullName)
            .AddEnvironmentVariables(GatewayHost.EnvironmentPrefix)
            .Build();
        return GatewayHost.UpstreamNames(configuration);
    }

    /// <summary>
    /// Category names are checked against the taxonomy beside the files (or one directory up, for examples/), else
    /// against the categories of the classifier the gateway would load, as the gateway does. Upstream names exist only
    /// in a gateway's configuration: checked with <c>--config</c>, else by the gateway when it loads the policy.
    /// </summary>
    private static PolicyLoadContext ContextFor(string directory)
    {
        foreach (var candidate in new[] { directory, Path.GetDirectoryName(Path.GetFullPath(directory)) })
        {
            if (candidate is not null && File.Exists(Path.Combine(candidate, PolicyLoader.TaxonomyFileName)))
            {
                return new PolicyLoadContext(PolicyTaxonomy.ReadCategoryIds(Path.Combine(candidate, PolicyLoader.TaxonomyFileName)), Upstreams: null);
            }
        }

        var manifest = ModelLocations.FindModelsDirectory() is { } models ? Path.Combine(models, "classifier", "manifest.json") : null;
        return new PolicyLoadContext(manifest is not null && File.Exists(manifest) ? ClassifierManifestLoader.Load(manifest).Manifest.Categories : null, Upstreams: null);
    }
}
