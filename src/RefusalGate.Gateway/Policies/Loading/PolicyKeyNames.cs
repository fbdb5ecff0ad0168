using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>
/// The schema's <c>propertyNames</c> rules, which NJsonSchema does not apply: action names, category names and annotate
/// header names. Read from the embedded schema itself (no second copy of the patterns), by walking the document along
/// the schema's <c>properties</c>, <c>additionalProperties</c> and <c>items</c>; each key that breaks the pattern of its
/// mapping is one error at the key.
/// </summary>
internal static class PolicyKeyNames
{
    private static readonly Lazy<JObject> Schema = new(() => JObject.Parse(PolicySchema.Text()));

    public static IReadOnlyList<SchemaFinding> Validate(string file, JToken document, List<PolicyDiagnostic> diagnostics)
    {
        var findings = new List<SchemaFinding>();
        Walk(Schema.Value, document, file, diagnostics, findings);
        return findings;
    }

    private static void Walk(JObject schema, JToken data, string file, List<PolicyDiagnostic> diagnostics, List<SchemaFinding> findings)
    {
        schema = Resolve(schema);
        if (data is JArray array && schema["items"] is JObject items)
        {
            foreach (var item in array)
            {
                Walk(items, item, file, diagnostics, findings);
            }
        }

        if (data is not JObject mapping)
        {
            return;
        }

        var pattern = schema["propertyNames"] is JObject names ? Resolve(names)["pattern"]?.Value<string>() : null;
        foreach (var property in mapping.Properties())
        {
            if (pattern is not null && !Matches(property.Name, pattern))
            {
                var position = SourcePosition.Of(property);
                diagnostics.Add(new PolicyDiagnostic(file, position.Line, position.Column,
                    $"The key '{property.Name}' in '{TokenPath.Display(mapping)}' does not match the pattern {pattern}{PolicySchema.PatternHint(pattern)}."));
                findings.Add(new SchemaFinding(property, property.Name, SchemaFindingKind.RejectedKey));
                continue;
            }

            if ((schema["properties"]?[property.Name] ?? schema["additionalProperties"]) is JObject child)
            {
                Walk(child, property.Value, file, diagnostics, findings);
            }
        }
    }

    /// <summary>
    /// A JSON-schema pattern's <c>$</c> is the end of the text (ECMA-262); .NET's also matches before a final line
    /// break, which would let <c>"x-note\n"</c> through as a header name. <c>\z</c> is the end in both senses.
    /// </summary>
    private static bool Matches(string name, string pattern) =>
        Regex.IsMatch(name, pattern.EndsWith('$') && !pattern.EndsWith("\\$", StringComparison.Ordinal) ? pattern[..^1] + "\\z" : pattern, RegexOptions.CultureInvariant);

    /// <summary>Follows <c>$ref</c>s within the schema (<c>#/definitions/name</c>).</summary>
    private static JObject Resolve(JObject schema)
    {
        while (schema["$ref"]?.Value<string>() is { } reference && reference.StartsWith("#/", StringComparison.Ordinal))
        {
            schema = Schema.Value.SelectToken(reference[2..].Replace('/', '.')) as JObject
                ?? throw new InvalidOperationException($"The policy schema refers to {reference}, which it does not define.");
        }

        return schema;
    }
}
