using YamlDotNet.RepresentationModel;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>Reads the category ids of <c>policies/categories.yaml</c>, the taxonomy policies name categories from.</summary>
public static class PolicyTaxonomy
{
    public static IReadOnlyList<string> ReadCategoryIds(string path)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var categories = (YamlSequenceNode)root.Children[new YamlScalarNode("categories")];
        return [.. categories.Children.OfType<YamlMappingNode>().Select(c => ((YamlScalarNode)c.Children[new YamlScalarNode("id")]).Value!)];
    }
}
