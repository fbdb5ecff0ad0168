using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>
/// Turns a schema-checked file into a <see cref="PolicyDocument"/> even when the schema found errors, so the checks that
/// come after it (names, references, thresholds) still report theirs in the same run. What the schema rejected is
/// blanked first (null, keeping its key, so an action whose settings are wrong is still known to be declared); a value
/// that still cannot be read (a whole number beyond what the gateway stores) is reported where it was written instead
/// of being thrown.
/// </summary>
internal static class PolicyDocumentBinder
{
    public static PolicyDocument? Bind(string file, JToken root, IReadOnlyCollection<JToken> rejected, IReadOnlyCollection<JProperty> rejectedKeys, List<PolicyDiagnostic> errors)
    {
        if (root is not JObject)
        {
            return null; // The schema has said that a policy file is a mapping; there is nothing to read.
        }

        foreach (var token in rejected)
        {
            Blank(token is JProperty property ? property.Value : token);
        }

        // A name that breaks its pattern is one error at the key: the entry is left out, so it is not also an unknown
        // category, nor an action or header that would be built under that name.
        foreach (var key in rejectedKeys.Where(k => k.Parent is not null))
        {
            key.Remove();
        }

        var failures = new List<(string Path, Exception Error)>();
        var serializer = JsonSerializer.CreateDefault();
        serializer.Error += (_, e) =>
        {
            failures.Add((e.ErrorContext.Path, e.ErrorContext.Error));
            e.ErrorContext.Handled = true; // The member stays unset; the diagnostic below says why.
        };
        var document = root.ToObject<PolicyDocument>(serializer)!;
        foreach (var (path, error) in failures)
        {
            var token = Find(root, path);
            var position = SourcePosition.Of(token);
            errors.Add(new PolicyDiagnostic(file, position.Line, position.Column, Describe(token, error)));
        }

        return document;
    }

    /// <summary>Replaces a rejected value by null where it was written (its position is kept for any message about it).</summary>
    private static void Blank(JToken token)
    {
        if (token.Parent is null || token.Type == JTokenType.Null)
        {
            return;
        }

        var blank = JValue.CreateNull();
        blank.AddAnnotation(SourcePosition.Of(token));
        token.Replace(blank);
    }

    private static JToken Find(JToken root, string path)
    {
        try
        {
            return root.SelectToken(path) ?? root;
        }
        catch (JsonException)
        {
            return root;
        }
    }

    private static string Describe(JToken token, Exception error) => error.InnerException is OverflowException && token is JValue { Value: IConvertible value }
        ? Convert.ToDouble(value, CultureInfo.InvariantCulture) < 0 ? $"'{DisplayPath(token)}' must be at least {int.MinValue}." : $"'{DisplayPath(token)}' must be at most {int.MaxValue}."
        : $"'{DisplayPath(token)}' cannot be read: {error.Message}";

    private static string DisplayPath(JToken token) => TokenPath.Display(token);
}
