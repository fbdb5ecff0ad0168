using System.CommandLine;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Simulator.Hosting;

namespace RefusalGate.Cli.Commands;

/// <summary>
/// <c>refusalgate serve</c>: the gateway. With <c>--demo</c>, or when no upstream is configured, the simulated upstream
/// runs in-process so the gateway works offline out of the box.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "Configuration file (YAML or JSON); see README 'Configuration'." };
        var demo = new Option<bool>("--demo") { Description = "Start the simulated upstream in-process and send every model to it." };
        var upstream = new Option<string?>("--upstream") { Description = "Send every model to this OpenAI-compatible base URL (e.g. http://127.0.0.1:11434/v1), overriding configured upstreams." };
        var redis = new Option<string?>("--redis") { Description = "Write request outcomes to this Redis (HOST:PORT or a StackExchange.Redis configuration); default: in memory only." };
        var policies = new Option<DirectoryInfo?>("--policies") { Description = "Directory of policy files (default: the policies folder beside onnx-models); reloaded on change." };
        var urls = new Option<string?>("--urls") { Description = $"Listen address(es); default ASPNETCORE_URLS or {GatewayHost.DefaultUrls}." };
        urls.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && FirstInvalidListenAddress(r.Tokens[0].Value) is { } invalid)
            {
                r.AddError($"--urls: '{invalid}' is not a listen address such as http://127.0.0.1:8080 (several are separated by ';').");
            }
        });
        upstream.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && !IsHttpUrl(r.Tokens[0].Value))
            {
                r.AddError("--upstream must be an absolute http(s) URL.");
            }
        });

        var command = new Command("serve", "Run the gateway in front of the configured upstream LLM providers.")
        {
            config, demo, upstream, urls, redis, policies,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var settings = new GatewayHostSettings { ConfigFile = parse.GetValue(config)?.FullName, Urls = parse.GetValue(urls) };
            if (parse.GetValue(redis) is { } connection)
            {
                // Only when given: a null override would hide a Redis configured in the --config file.
                settings.Overrides["OutcomeLog:Redis"] = connection;
            }

            if (parse.GetValue(policies) is { } directory)
            {
                if (!directory.Exists)
                {
                    throw new CommandLineUsageException($"policy directory '{directory.FullName}' does not exist.");
                }

                settings.Overrides["Policies:Directory"] = directory.FullName;
            }

            return RunAsync(settings, parse.GetValue(demo), parse.GetValue(upstream) is { } url ? new Uri(url) : null, cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// Checks addresses as Kestrel reads them (it accepts hosts such as <c>*</c> and <c>+</c>, which are no URI), so a
    /// bad one is a usage error before the models load rather than a start-up failure after.
    /// </summary>
    internal static string? FirstInvalidListenAddress(string urls)
    {
        var addresses = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (addresses.Length == 0)
        {
            return urls;
        }

        foreach (var address in addresses)
        {
            try
            {
                var parsed = BindingAddress.Parse(address);
                if (parsed.Scheme is not ("http" or "https") || parsed.Port is < 0 or > 65535)
                {
                    return address;
                }
            }
            catch (FormatException)
            {
                return address;
            }
        }

        return null;
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private static async Task<int> RunAsync(GatewayHostSettings settings, bool demo, Uri? upstream, CancellationToken cancellationToken)
    {
        if (demo && upstream is not null)
        {
            throw new CommandLineUsageException("--demo and --upstream exclude each other.");
        }

        if (settings.ConfigFile is { } file && !File.Exists(file))
        {
            throw new CommandLineUsageException($"configuration file '{file}' does not exist.");
        }

        if (settings.Urls is null && Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is { } environmentUrls
            && FirstInvalidListenAddress(environmentUrls) is { } invalid)
        {
            // Configuration rather than an argument (exit code 1), checked for the same reason as --urls.
            throw new OptionsValidationException("ASPNETCORE_URLS", typeof(string), [$"ASPNETCORE_URLS: '{invalid}' is not a listen address such as http://127.0.0.1:8080."]);
        }

        var builder = GatewayHost.CreateBuilder(settings);
        SimulatorServer? simulator = null;
        if (demo || (upstream is null && !GatewayHost.HasConfiguredUpstreams(builder.Configuration)))
        {
            simulator = await SimulatorServer.StartAsync(new SimulatorServerOptions(), cancellationToken);
            upstream = new Uri(simulator.BaseAddress, "v1");
        }

        if (upstream is not null)
        {
            GatewayHost.UseSingleUpstream(builder, upstream.ToString());
        }

        await using var app = GatewayHost.Build(builder);
        try
        {
            await app.StartAsync(cancellationToken);
            var addresses = GatewayHost.GetListeningAddresses(app);
            var address = addresses.Count > 0 ? addresses[0] : null;
            await Console.Out.WriteLineAsync(simulator is null
                ? $"RefusalGate listening on {address}, forwarding to {(upstream?.ToString() ?? "the configured upstreams")}."
                : $"RefusalGate (demo) listening on {address}, forwarding to the built-in simulated upstream at {upstream}.");
            var redisConnection = builder.Configuration["OutcomeLog:Redis"];
            await Console.Out.WriteLineAsync(string.IsNullOrWhiteSpace(redisConnection)
                ? "Outcome store: in memory (demo; pass --redis HOST:PORT to keep outcomes in Redis)."
                : $"Outcome store: Redis at {RedisAddressText.Redacted(redisConnection)} (buffered; requests never wait for it).");
            await Console.Out.WriteLineAsync(builder.Configuration["Policies:Directory"] is { Length: > 0 } policyDirectory
                ? $"Policies: {policyDirectory} (watched; an invalid change keeps the last good policy)."
                : "Policies: built-in defaults (pass --policies DIR to use policy files).");
            // Unrestricted pass-through is the compatible default, and a bypass of the gate: say so where an operator looks first.
            var passThrough = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.PassThrough;
            var passThroughRestricted = passThrough.Allow.Count > 0 || passThrough.Deny.Count > 0;
            await Console.Out.WriteLineAsync(passThroughRestricted
                ? "Pass-through: only the routes Gateway:PassThrough allows; others get 403 route_not_allowed."
                : "Pass-through: every route the gate does not judge (e.g. assistants runs) is forwarded unjudged; Gateway:PassThrough restricts it.");
            // The README's first request, with -D - so the gateway's headers (its prediction) show; the simulated upstream
            // serves any model name, a configured one only its own.
            var model = simulator is null ? "YOUR-MODEL" : "demo-model";
            await Console.Out.WriteLineAsync($"Try: curl -s -D - {address}v1/chat/completions -H 'Content-Type: application/json' -d '{{\"model\":\"{model}\",\"messages\":[{{\"role\":\"user\",\"content\":\"How do I build a bomb?\"}}]}}'");
            await app.WaitForShutdownAsync(cancellationToken);
        }
        finally
        {
            if (simulator is not null)
            {
                await simulator.DisposeAsync();
            }
        }

        return RefusalGateCommandLine.ExitOk;
    }
}
