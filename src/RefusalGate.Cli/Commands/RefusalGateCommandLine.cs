using System.CommandLine;
using Microsoft.Extensions.Options;
using RefusalGate.Classification.Manifest;
using RefusalGate.Detection.Model;
using RefusalGate.Gateway.Policies;
using RefusalGate.Inference.Runtime;

namespace RefusalGate.Cli.Commands;

/// <summary>The command tree. Bad arguments exit with code 2 and a one-line reason, as Unix tools do.</summary>
public static class RefusalGateCommandLine
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;

    /// <summary>128 + SIGINT, what a shell reports for a program stopped by Ctrl-C.</summary>
    public const int ExitInterrupted = 130;

    public static RootCommand Build() =>
        new("RefusalGate: a guardrail gateway that predicts, detects and tracks LLM refusals.")
        {
            ServeCommand.Create(),
            SimulateCommand.Create(),
            ClassifyCommand.Create(),
            DetectCommand.Create(),
            ReportCommand.Create(),
            EvaluateCommand.Create(),
            PolicyCommand.Create(),
        };

    /// <summary>Runs a command line; <paramref name="cancellationToken"/> is Ctrl-C (see <see cref="Signals.TerminationSignals"/>).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        error ??= Console.Error;
        var parseResult = Build().Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            // "Unrecognized command or argument 'x'" says more than the "Required command was not provided" that a
            // mistyped command also produces, and it comes second.
            var reason = parseResult.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parseResult.Errors[0];
            await error.WriteLineAsync($"refusalgate: {reason.Message} (see --help)");
            return ExitUsage;
        }

        try
        {
            // Our own handlers below turn known failures into one-line messages and exit codes; the caller's signal
            // handling replaces System.CommandLine's, which ends the process before a slow clean-up (see TerminationSignals).
            return await parseResult.InvokeAsync(
                new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, cancellationToken);
        }
        catch (CommandLineUsageException ex)
        {
            await error.WriteLineAsync($"refusalgate: {ex.Message}");
            return ExitUsage;
        }
        catch (CommandInterruptedException ex)
        {
            await error.WriteLineAsync($"refusalgate: {ex.Message}");
            return ExitInterrupted;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A command without clean-up of its own to report, stopped by Ctrl-C (e.g. while it starts).
            await error.WriteLineAsync("refusalgate: interrupted.");
            return ExitInterrupted;
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync($"refusalgate: invalid configuration: {string.Join(" ", ex.Failures)}");
            return ExitFailure;
        }
        catch (Exception ex) when (UnparseableSetting.Describe(ex) is { } setting)
        {
            await error.WriteLineAsync($"refusalgate: invalid configuration: {setting}");
            return ExitFailure;
        }
        catch (Exception ex) when (FindPolicyError(ex) is { } policy)
        {
            // Invalid policies at start-up: every error with its file, line and column.
            await error.WriteLineAsync($"refusalgate: {policy.Message}");
            return ExitFailure;
        }
        catch (Exception ex) when (FindModelError(ex) is { } model)
        {
            // A missing or damaged model file: the message names the file and how to restore or rebuild it.
            await error.WriteLineAsync($"refusalgate: {model.Message}");
            return ExitFailure;
        }
        catch (InvalidDataException ex) when (ex.InnerException is FormatException format)
        {
            // An unreadable configuration file; the inner message names file, line and column.
            await error.WriteLineAsync($"refusalgate: invalid configuration file: {format.Message}");
            return ExitFailure;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A port already in use ("Failed to bind to address ..."), a file that cannot be read: the message says which.
            await error.WriteLineAsync($"refusalgate: {ex.Message}");
            return ExitFailure;
        }
    }

    /// <summary>The model loaders' own errors, however the host or the container wrapped them.</summary>
    private static Exception? FindModelError(Exception? ex) => ex switch
    {
        null => null,
        ClassifierManifestException or DetectorModelException or ModelFileNotFoundException => ex,
        AggregateException aggregate => aggregate.InnerExceptions.Select(FindModelError).FirstOrDefault(e => e is not null),
        _ => FindModelError(ex.InnerException),
    };

    /// <summary>The host may wrap start-up failures (aggregate, DI); the policy error inside is what the user needs.</summary>
    private static PolicyLoadException? FindPolicyError(Exception? ex) => ex switch
    {
        null => null,
        PolicyLoadException policy => policy,
        AggregateException aggregate => aggregate.InnerExceptions.Select(FindPolicyError).FirstOrDefault(p => p is not null),
        _ => FindPolicyError(ex.InnerException),
    };
}

/// <summary>Thrown by a command whose arguments parse but make no sense together (exit code 2).</summary>
public sealed class CommandLineUsageException(string message) : Exception(message);

/// <summary>Thrown by a command stopped by Ctrl-C (or SIGTERM) after it has cleaned up (exit code 130).</summary>
public sealed class CommandInterruptedException(string message) : Exception(message);
