using Newtonsoft.Json.Linq;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>Where a token sits in its file, written as the schema's messages write it.</summary>
internal static class TokenPath
{
    /// <summary><c>actions.careful.maxTokens</c>, <c>overrides[0].match</c>; a property is named by its own key.</summary>
    public static string Display(JToken token)
    {
        var parts = new List<string>();
        for (var current = token; current.Parent is { } parent; current = parent)
        {
            if (current is JProperty property)
            {
                parts.Add("." + property.Name);
            }
            else if (parent is JArray array)
            {
                parts.Add($"[{array.IndexOf(current)}]");
            }
        }

        parts.Reverse();
        return string.Concat(parts).TrimStart('.');
    }
}
