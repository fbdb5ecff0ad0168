using RefusalGate.Cli.Commands;
using RefusalGate.Cli.Signals;

// `refusalgate <subcommand>`: serve the gateway, run the simulated upstream, classify, detect, evaluate, report, policy.
// Ctrl-C is handled from here on (before, the runtime's default ends the process, which has then written nothing).
return await RefusalGateCommandLine.RunAsync(args, cancellationToken: TerminationSignals.Register());
