using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RefusalGate.Gateway.Configuration;

namespace RefusalGate.Gateway.Hosting;

/// <summary>
/// Builds the gateway application. Configuration layers, later winning: built-in defaults, the <c>--config</c> file
/// (YAML or JSON), environment variables prefixed <c>REFUSALGATE_</c> (<c>REFUSALGATE_Gateway__MaxRequestBodyBytes</c>),
/// then explicit overrides (command-line flags, tests).
/// </summary>
public static class GatewayHost
{
    public const string DefaultUrls = "http://127.0.0.1:8080";
    public const string EnvironmentPrefix = "REFUSALGATE_";

    public static WebApplicationBuilder CreateBuilder(GatewayHostSettings settings)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });

        // Model locations are defaults: any configuration source below overrides them.
        if (ModelLocations.FindModelsDirectory() is { } modelsDirectory)
        {
            builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = ModelLocations.DefaultSettings(modelsDirectory) });
        }

        if (settings.ConfigFile is { } configFile)
        {
            var fullPath = Path.GetFullPath(configFile);
            if (!File.Exists(fullPath))
            {
                throw new FileNotFoundException($"Configuration file '{configFile}' does not exist.", fullPath);
            }

            AddConfigurationFile(builder.Configuration, fullPath);
        }

        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);
        builder.Configuration.AddInMemoryCollection(settings.Overrides);

        var urls = settings.Urls ?? Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? DefaultUrls;
        builder.WebHost.UseUrls(urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        // Quieter defaults for other libraries' categories; each gives way to a level the configuration sets for the same
        // category (Logging:LogLevel:<category>, e.g. REFUSALGATE_Logging__LogLevel__Yarp=Debug to see YARP's own lines).
        AddDefaultLogFilter(builder, "Microsoft.AspNetCore", LogLevel.Warning);
        AddDefaultLogFilter(builder, "Yarp", LogLevel.Warning);

        // A host that fails to start (a port in use) logs the exception with its stack trace as an error, and then throws
        // it to the caller, which reports it in one line. A failing background service still logs, at Critical.
        AddDefaultLogFilter(builder, "Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);

        // YARP's forwarder logs every failed forwarding as a warning with the whole stack trace, even an upstream cutting
        // a stream; the gate middleware logs each one instead, as one line with the request id and the reason (and the
        // stack trace only for an exception no network fault throws). Its other warnings concern WebSocket keys only.
        AddDefaultLogFilter(builder, "Yarp.ReverseProxy.Forwarder.HttpForwarder", LogLevel.Error);

        // IHttpClientFactory logs four Information lines per call; the introspection client calls once per uncertain request.
        AddDefaultLogFilter(builder, "System.Net.Http.HttpClient", LogLevel.Warning);

        // YARP registers Data Protection for session affinity, which the gateway does not use; its key warning is noise.
        AddDefaultLogFilter(builder, "Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        builder.Services.AddRefusalGate(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// A minimum level for a library's log category unless the configuration names that category: a filter added in
    /// code is registered after the configuration's rules and would win over them for the same category.
    /// </summary>
    private static void AddDefaultLogFilter(WebApplicationBuilder builder, string category, LogLevel level)
    {
        if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
        {
            builder.Logging.AddFilter(category, level);
        }
    }

    /// <summary>A configuration file as <c>--config</c> reads it: JSON when it ends in <c>.json</c>, else YAML.</summary>
    public static IConfigurationBuilder AddConfigurationFile(IConfigurationBuilder configuration, string fullPath) =>
        fullPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? configuration.AddJsonFile(fullPath, optional: false)
            : configuration.AddYamlFile(fullPath);

    /// <summary>
    /// The upstream names a gateway with this configuration serves: the configured ones, else the single upstream that
    /// <c>serve</c> then uses (<c>--upstream</c> or the demo).
    /// </summary>
    public static IReadOnlyCollection<string> UpstreamNames(IConfiguration configuration) =>
        HasConfiguredUpstreams(configuration)
            ? [.. configuration.GetSection($"{GatewayOptions.SectionName}:{nameof(GatewayOptions.Upstreams)}").GetChildren().Select(c => c.Key)]
            : [SingleUpstreamName];

    /// <summary>The name of the one upstream of <c>serve --upstream URL</c> (and of the demo).</summary>
    public const string SingleUpstreamName = "default";

    /// <summary>Whether the configuration names any upstream; without one the CLI starts the demo upstream.</summary>
    public static bool HasConfiguredUpstreams(IConfiguration configuration) =>
        configuration.GetSection($"{GatewayOptions.SectionName}:{nameof(GatewayOptions.Upstreams)}").GetChildren().Any();

    /// <summary>Replaces all configured upstreams by one that serves every model (<c>--upstream URL</c>).</summary>
    public static void UseSingleUpstream(WebApplicationBuilder builder, string baseUrl, string name = SingleUpstreamName)
    {
        builder.Services.PostConfigure<GatewayOptions>(options =>
        {
            var apiKey = builder.Configuration[$"{GatewayOptions.SectionName}:Upstreams:{name}:ApiKey"];
            options.Upstreams.Clear();
            options.Upstreams[name] = new UpstreamOptions { BaseUrl = baseUrl, Models = ["*"], ApiKey = apiKey };
        });
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.MapRefusalGate();
        return app;
    }

    /// <summary>The addresses Kestrel actually bound (port 0 resolved), once started.</summary>
    public static IReadOnlyList<Uri> GetListeningAddresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => new Uri(a)).ToList() ?? [];
}

public sealed class GatewayHostSettings
{
    /// <summary>A YAML (<c>.yaml</c>/<c>.yml</c>) or JSON configuration file.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Listen URLs separated by ';'; default <c>ASPNETCORE_URLS</c>, else <see cref="GatewayHost.DefaultUrls"/>.</summary>
    public string? Urls { get; init; }

    /// <summary>Configuration keys that win over every other source.</summary>
    public Dictionary<string, string?> Overrides { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}
