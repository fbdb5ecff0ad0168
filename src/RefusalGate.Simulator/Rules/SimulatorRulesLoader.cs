using System.Globalization;
using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace RefusalGate.Simulator.Rules;

/// <summary>Reads <see cref="SimulatorRules"/> from YAML: the embedded defaults or a user file.</summary>
public static class SimulatorRulesLoader
{
    private const string DefaultRulesResource = "RefusalGate.Simulator.Rules.default-rules.yaml";

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithEnumNamingConvention(HyphenatedNamingConvention.Instance)
        .Build();

    public static SimulatorRules LoadDefault()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(DefaultRulesResource)
            ?? throw new InvalidOperationException($"Embedded resource {DefaultRulesResource} is missing.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "default-rules.yaml");
    }

    public static SimulatorRules LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new SimulatorRulesException($"Rules file '{path}' does not exist.");
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static SimulatorRules Parse(string yaml, string sourceName)
    {
        SimulatorRules rules;
        try
        {
            rules = Deserializer.Deserialize<SimulatorRules?>(yaml) ?? new SimulatorRules();
        }
        catch (YamlException ex)
        {
            throw new SimulatorRulesException(
                $"{sourceName}:{ex.Start.Line}:{ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}", ex);
        }

        Validate(rules, sourceName);
        return rules;
    }

    private static void Validate(SimulatorRules rules, string sourceName)
    {
        foreach (var pattern in rules.Refusals.SelectMany(r => r.Patterns).Concat(rules.Faults.Select(f => f.Pattern)))
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(pattern);
            }
            catch (ArgumentException ex)
            {
                throw new SimulatorRulesException($"{sourceName}: invalid pattern '{pattern}': {ex.Message}", ex);
            }
        }

        foreach (var fault in rules.Faults)
        {
            if (fault.Probability is < 0 or > 1)
            {
                throw new SimulatorRulesException($"{sourceName}: fault probability {fault.Probability} is not in [0, 1].");
            }
        }

        ValidateIntrospection(rules, sourceName);
    }

    private static void ValidateIntrospection(SimulatorRules rules, string sourceName)
    {
        // An empty `introspection:` key deserializes to null; it means "the defaults", not "no settings".
        rules.Introspection ??= new IntrospectionRules();
        var introspection = rules.Introspection;
        try
        {
            _ = IntrospectionPattern.Compile(introspection.Pattern);
        }
        catch (ArgumentException ex)
        {
            throw new SimulatorRulesException($"{sourceName}: invalid introspection pattern '{introspection.Pattern}': {ex.Message}", ex);
        }

        RequireInRange(introspection.Accuracy, 0, 1, "introspection accuracy", sourceName);
        RequireInRange(introspection.Confidence, 0, 1, "introspection confidence", sourceName);
        RequireInRange(introspection.Bias, -1, 1, "introspection bias", sourceName);
        foreach (var rule in rules.Refusals)
        {
            if (rule.Introspection is not { } overrides)
            {
                continue;
            }

            var location = $"{sourceName}: refusal rule '{rule.Category}'";
            RequireInRange(overrides.Accuracy, 0, 1, "introspection accuracy", location);
            RequireInRange(overrides.Confidence, 0, 1, "introspection confidence", location);
            RequireInRange(overrides.Bias, -1, 1, "introspection bias", location);
        }
    }

    /// <summary>Written so that NaN (YAML <c>.nan</c>) fails too.</summary>
    private static void RequireInRange(double? value, double min, double max, string what, string location)
    {
        if (value is { } number && !(number >= min && number <= max))
        {
            throw new SimulatorRulesException(
                string.Create(CultureInfo.InvariantCulture, $"{location}: {what} {number} is not in [{min}, {max}]."));
        }
    }
}

public sealed class SimulatorRulesException : Exception
{
    public SimulatorRulesException(string message)
        : base(message)
    {
    }

    public SimulatorRulesException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
