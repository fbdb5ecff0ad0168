using Microsoft.Extensions.Configuration;
using RefusalGate.Classification.Hosting;
using RefusalGate.Detection;
using RefusalGate.Gateway.Calibration;
using RefusalGate.Gateway.Configuration;
using RefusalGate.Gateway.Hosting;
using RefusalGate.Gateway.Observation;
using RefusalGate.Gateway.OutcomeLog;
using RefusalGate.Gateway.Policies;
using RefusalGate.Gateway.Recalibration;
using RefusalGate.Gateway.Telemetry;
using RefusalGate.Inference.Hosting;

namespace RefusalGate.Cli.Tests.Deployment;

/// <summary>
/// The configuration the gateway reads: each section and the options class bound from it (as
/// <c>GatewayServiceCollectionExtensions</c> registers them), plus the few keys read without an options class. A key a
/// deployment artefact sets must bind to one of them, or the gateway silently ignores it.
/// </summary>
internal static class GatewaySettings
{
    private static readonly (string Section, Type Options)[] Sections =
    [
        (GatewayOptions.SectionName, typeof(GatewayOptions)),
        ("Inference", typeof(InferenceOptions)),
        ("Classifier", typeof(ClassifierOptions)),
        (DetectorOptions.SectionName, typeof(DetectorOptions)),
        (PolicyOptions.SectionName, typeof(PolicyOptions)),
        (ObservationOptions.SectionName, typeof(ObservationOptions)),
        (OutcomeLogOptions.SectionName, typeof(OutcomeLogOptions)),
        (CalibrationOptions.SectionName, typeof(CalibrationOptions)),
        (RecalibrationOptions.SectionName, typeof(RecalibrationOptions)),
        (OtlpExportOptions.SectionName, typeof(OtlpExportOptions)),
    ];

    /// <summary>Keys the host reads with <c>GetValue</c> rather than through an options class.</summary>
    private static readonly string[] DirectlyReadKeys = ["Classifier:Enabled"];

    /// <summary>The configuration key an environment variable sets (<c>REFUSALGATE_A__B</c> → <c>A:B</c>), or null without the prefix.</summary>
    public static string? KeyOfEnvironmentVariable(string name) =>
        name.StartsWith(GatewayHost.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && name != ModelLocations.EnvironmentVariable
            ? name[GatewayHost.EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)
            : null;

    /// <summary>
    /// Every problem binding <paramref name="configuration"/> (a config file plus environment settings) would have: a key
    /// no options class reads, a property name that does not exist, a value that does not convert.
    /// </summary>
    public static IReadOnlyList<string> BindingErrors(IConfiguration configuration, string origin)
    {
        var leaves = configuration.AsEnumerable().Where(pair => pair.Value is not null).ToList();
        var errors = new List<string>();
        foreach (var (key, _) in leaves)
        {
            if (SectionOf(key) is null && !IsDirectlyRead(key))
            {
                errors.Add($"{origin}: '{key}' is read by no options class of the gateway.");
            }
        }

        var bindable = new ConfigurationBuilder()
            .AddInMemoryCollection(leaves.Where(pair => !IsDirectlyRead(pair.Key)))
            .Build();
        foreach (var (section, options) in Sections)
        {
            var child = bindable.GetSection(section);
            if (!child.Exists())
            {
                continue;
            }

            try
            {
                child.Get(options, binder => binder.ErrorOnUnknownConfiguration = true);
            }
            catch (InvalidOperationException exception)
            {
                errors.Add($"{origin}: section '{section}' does not bind to {options.Name}: {exception.Message}");
            }
        }

        return errors;
    }

    private static string? SectionOf(string key) =>
        Sections.Select(s => s.Section).FirstOrDefault(section => key.StartsWith(section + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase));

    private static bool IsDirectlyRead(string key) => DirectlyReadKeys.Contains(key, StringComparer.OrdinalIgnoreCase);
}
