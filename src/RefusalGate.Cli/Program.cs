using RefusalGate.Cli.Commands;

// `refusalgate <subcommand>`: serve the gateway, run the simulated upstream, and (later) classify, detect, report.
return await RefusalGateCommandLine.RunAsync(args);
