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
