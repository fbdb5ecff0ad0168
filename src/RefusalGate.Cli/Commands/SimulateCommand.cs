using System.CommandLine;
using RefusalGate.Simulator.Hosting;
using RefusalGate.Simulator.Replay;
using RefusalGate.Simulator.Rules;

namespace RefusalGate.Cli.Commands;

/// <summary><c>refusalgate simulate</c>: the simulated OpenAI-compatible upstream on its own.</summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Port to listen on (127.0.0.1).", Required = true };
        var host = new Option<string>("--host") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var rules = new Option<FileInfo?>("--rules") { Description = "YAML rules: refusal patterns per category, latency, faults." };
        var replay = new Option<FileInfo?>("--replay") { Description = "JSONL of recorded {model, prompt, response} to replay." };
        var replayDefault = new Option<string?>("--replay-default") { Description = "Answer for requests the replay file does not contain (default: the rules decide)." };
        port.Validators.Add(r =>
        {
            // Read the token, not the converted value: a non-number is already reported by the parser.
            if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, out var value) && value is < 1 or > 65535)
            {
                r.AddError("--port must be between 1 and 65535.");
            }
        });

        var command = new Command("simulate", "Run the simulated OpenAI-compatible upstream (rule or replay mode).")
        {
            port, host, rules, replay, replayDefault,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            SimulatorServer server;
            try
            {
                server = await SimulatorServer.StartAsync(
                    new SimulatorServerOptions
                    {
                        Urls = $"http://{parse.GetValue(host)}:{parse.GetValue(port)}",
                        Rules = parse.GetValue(rules) is { } file ? SimulatorRulesLoader.LoadFile(file.FullName) : null,
                        ReplayFile = parse.GetValue(replay)?.FullName,
                        ReplayDefault = parse.GetValue(replayDefault),
                        LogToConsole = true,
                    },
                    cancellationToken);
            }
            catch (Exception ex) when (ex is SimulatorRulesException or ReplayFileException)
            {
                throw new CommandLineUsageException(ex.Message);
            }

            await using (server)
            {
                await Console.Out.WriteLineAsync($"Simulated upstream listening on {server.BaseAddress} (OpenAI base URL: {server.BaseAddress}v1). Ctrl+C stops it.");
                await server.WaitForShutdownAsync(cancellationToken);
            }

            return RefusalGateCommandLine.ExitOk;
        });
        return command;
    }
}
