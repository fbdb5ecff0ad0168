using System.Globalization;
using Newtonsoft.Json.Linq;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>Reads the category ids of <c>policies/categories.yaml</c>, the taxonomy policies name categories from.</summary>
public static class PolicyTaxonomy
{
    /// <summary>
    /// The ids, in file order; a file that is not the taxonomy's shape is reported, not thrown as a crash. Read as the
    /// policy files are (<see cref="PolicyFileReader"/>, <see cref="YamlToJson"/>), so a named pipe or a file nested
    /// without end is one error here too rather than a hang or a stack overflow.
    /// </summary>
    /// <exception cref="PolicyTaxonomyException">The file cannot be read as a taxonomy; the diagnostic says where.</exception>
    public static IReadOnlyList<string> ReadCategoryIds(string path)
    {
        var diagnostics = new List<PolicyDiagnostic>();
        var text = PolicyFileReader.Read(path, diagnostics, remedy: "Replace it with the taxonomy file.");
        var root = text is null ? null : YamlToJson.Read(path, text, diagnostics);

        // An empty file is the "not a mapping" error below, not the policy files' "needs at least 'version: 1'".
        if (diagnostics.FirstOrDefault(d => d.Message != YamlDocumentReader.EmptyFileMessage) is { } first)
        {
            throw new PolicyTaxonomyException(first);
        }

        if (root is not JObject mapping)
        {
            throw Invalid(path, root, "The taxonomy must be a mapping with a 'categories' list.");
        }

        if (mapping.Property("categories", StringComparison.Ordinal) is not { Value: JArray categories })
        {
            throw Invalid(path, mapping.Property("categories", StringComparison.Ordinal)?.Value ?? mapping, "'categories' must be a list of entries with an 'id'.");
        }

        var ids = new List<string>();
        foreach (var entry in categories)
        {
            if (entry is not JObject category || category.Property("id", StringComparison.Ordinal)?.Value is not JValue { Value: { } id } || Convert.ToString(id, CultureInfo.InvariantCulture) is not { Length: > 0 } value)
            {
                throw Invalid(path, entry, "Each category needs an 'id' (a name such as violent_crimes).");
            }

            ids.Add(value);
        }

        return ids;
    }

    private static PolicyTaxonomyException Invalid(string path, JToken? at, string message)
    {
        var position = SourcePosition.Of(at);
        return new(new PolicyDiagnostic(path, position.Line, position.Column, message));
    }
}

/// <summary>The taxonomy file cannot be read; <see cref="Diagnostic"/> says where and why.</summary>
public sealed class PolicyTaxonomyException(PolicyDiagnostic diagnostic) : Exception(diagnostic.ToString())
{
    public PolicyDiagnostic Diagnostic { get; } = diagnostic;
}
