using System.Runtime.InteropServices;

namespace RefusalGate.Cli.Signals;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as one cancellation for the life of the process, registered first thing in Main so
/// that a signal at any later moment reaches the command. The first signal cancels: the command stops at its next
/// await, cleans up and exits 130, or, if it has already finished its work, exits as it would have (a JSONL run whose
/// output is in place: 0). A later signal is left to the runtime's default action, which ends the process at once.
/// </summary>
/// <remarks>
/// System.CommandLine's own handler is not used: when a command has not finished 2 s after the signal, it returns 130
/// while the command is still running, so the process ends before the command's clean-up (a JSONL run's temporary
/// output stays behind and its "interrupted" line is never written). A signal that the process inherited as ignored (a
/// non-interactive shell ignores SIGINT in a job it starts with <c>&amp;</c>) never arrives: the runtime keeps it
/// ignored, as Unix programs do; SIGTERM still stops such a run.
/// </remarks>
internal static class TerminationSignals
{
    // Never disposed: the process's whole life, and a signal arriving after the command has finished must not end the
    // process by the default action (exit 130 with the new output already in place). Static, because a registration
    // that is finalised is removed.
    private static readonly CancellationTokenSource Cancellation = new();
    private static readonly Lock Gate = new();
    private static PosixSignalRegistration[]? Registrations;
    private static int Received;

    /// <summary>Starts handling the signals (again: no effect) and returns the token that the first one cancels.</summary>
    public static CancellationToken Register()
    {
        lock (Gate)
        {
            Registrations ??=
            [
                PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            ];
        }

        return Cancellation.Token;
    }

    private static void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref Received) > 1)
        {
            return; // not cancelled: the default action ends the process
        }

        context.Cancel = true;
        Cancellation.Cancel();
    }
}
