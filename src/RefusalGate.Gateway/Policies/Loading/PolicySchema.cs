using System.Reflection;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>
/// The structural contract of policy files: <c>policies/policy.schema.json</c>, embedded in the assembly so the
/// gateway, <c>policy check</c> and editors (yaml-language-server) all read the same schema.
/// </summary>
internal static class PolicySchema
{
    public const string ResourceName = "RefusalGate.Gateway.policy.schema.json";

    private static readonly Lazy<JsonSchema> Schema = new(Load);

    public static string Text()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {ResourceName} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Adds one diagnostic per violated rule, at the position of the offending YAML node.</summary>
    public static void Validate(string file, JToken document, List<PolicyDiagnostic> diagnostics)
    {
        foreach (var error in Schema.Value.Validate(document))
        {
            Report(file, error, diagnostics);
        }
    }

    private static void Report(string file, ValidationError error, List<PolicyDiagnostic> diagnostics)
    {
        if (error is ChildSchemaValidationError { Errors.Count: > 0 } parent)
        {
            // The leaves say what is wrong; the parent only says "something inside is invalid".
            foreach (var child in parent.Errors.Values.SelectMany(e => e))
            {
                Report(file, child, diagnostics);
            }

            return;
        }

        var position = SourcePosition.Of(error.Token);
        diagnostics.Add(new PolicyDiagnostic(file, position.Line, position.Column, Describe(error)));
    }

    private static string Describe(ValidationError error)
    {
        var at = DisplayPath(error.Path);
        var schema = error.Schema;
        return error.Kind switch
        {
            ValidationErrorKind.NoAdditionalPropertiesAllowed => $"Unknown key '{error.Property}'{(at.Contains('.') ? $" in '{at[..at.LastIndexOf('.')]}'" : "")}.",
            ValidationErrorKind.PropertyRequired => $"'{error.Property}' is required{(at == error.Property ? "" : $" in '{Parent(at)}'")}.",
            ValidationErrorKind.NotInEnumeration => $"'{at}' must be one of: {string.Join(", ", schema?.Enumeration.Select(e => e?.ToString()) ?? [])}.",
            ValidationErrorKind.NumberTooBig => $"'{at}' must be at most {schema?.Maximum}.",
            ValidationErrorKind.NumberTooSmall => $"'{at}' must be at least {schema?.Minimum}.",
            ValidationErrorKind.PatternMismatch => $"'{at}' does not match the pattern {schema?.Pattern}{PatternHint(schema?.Pattern)}.",
            ValidationErrorKind.StringTooShort => $"'{at}' must not be empty.",
            ValidationErrorKind.TooFewProperties => $"'{at}' needs at least {schema?.MinProperties} key(s).",
            ValidationErrorKind.IntegerExpected => $"'{at}' must be a whole number.",
            ValidationErrorKind.NumberExpected => $"'{at}' must be a number.",
            ValidationErrorKind.StringExpected => $"'{at}' must be a string.",
            ValidationErrorKind.BooleanExpected => $"'{at}' must be true or false.",
            ValidationErrorKind.ObjectExpected => $"'{at}' must be a mapping.",
            ValidationErrorKind.ArrayExpected => $"'{at}' must be a list.",
            _ => $"'{at}': {error.Kind}.",
        };
    }

    private static string PatternHint(string? pattern) => pattern switch
    {
        "^[a-z0-9][a-z0-9_-]{0,62}$" => " (lower-case letters, digits, '_' and '-')",
        "\\{prompt\\}" => " (the template must contain {prompt})",
        _ => "",
    };

    private static string DisplayPath(string? path) => (path ?? "").TrimStart('#', '/');

    private static string Parent(string path) => path.Contains('.') ? path[..path.LastIndexOf('.')] : "(top level)";

    private static JsonSchema Load() => JsonSchema.FromJsonAsync(Text()).GetAwaiter().GetResult();
}
