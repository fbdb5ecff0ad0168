using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>Reads the category ids of <c>policies/categories.yaml</c>, the taxonomy policies name categories from.</summary>
public static class PolicyTaxonomy
{
    /// <summary>The ids, in file order; a file that is not the taxonomy's shape is reported, not thrown as a crash.</summary>
    /// <exception cref="PolicyTaxonomyException">The file cannot be read as a taxonomy; the diagnostic says where.</exception>
    public static IReadOnlyList<string> ReadCategoryIds(string path)
    {
        var yaml = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            yaml.Load(reader);
        }
        catch (YamlException ex)
        {
            throw Invalid(path, ex.Start, $"YAML syntax error: {ex.Message}");
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw Invalid(path, yaml.Documents.Count == 0 ? Mark.Empty : yaml.Documents[0].RootNode.Start, "The taxonomy must be a mapping with a 'categories' list.");
        }

        if (!root.Children.TryGetValue(new YamlScalarNode("categories"), out var node) || node is not YamlSequenceNode categories)
        {
            throw Invalid(path, node?.Start ?? root.Start, "'categories' must be a list of entries with an 'id'.");
        }

        var ids = new List<string>();
        foreach (var entry in categories.Children)
        {
            if (entry is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode("id"), out var id) || id is not YamlScalarNode { Value: { Length: > 0 } value })
            {
                throw Invalid(path, entry.Start, "Each category needs an 'id' (a name such as violent_crimes).");
            }

            ids.Add(value);
        }

        return ids;
    }

    private static PolicyTaxonomyException Invalid(string path, Mark at, string message) =>
        new(new PolicyDiagnostic(path, (int)at.Line, (int)at.Column, message));
}

/// <summary>The taxonomy file cannot be read; <see cref="Diagnostic"/> says where and why.</summary>
public sealed class PolicyTaxonomyException(PolicyDiagnostic diagnostic) : Exception(diagnostic.ToString())
{
    public PolicyDiagnostic Diagnostic { get; } = diagnostic;
}
