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

    /// <summary>
    /// Adds one diagnostic per violated rule, at the position of the offending YAML node, and returns what each was
    /// about, so the loader can keep what the schema rejected away from the checks that follow.
    /// </summary>
    public static IReadOnlyList<SchemaFinding> Validate(string file, JToken document, List<PolicyDiagnostic> diagnostics)
    {
        var errors = Schema.Value.Validate(document).SelectMany(Leaves).ToList();

        // A value of the wrong type also fails every rule written for the right type ("'match' is required" in a string
        // where a mapping belongs): its type is the one mistake to report.
        var mistyped = errors.Where(e => e.Token is not null && WrongType.Contains(e.Kind)).Select(e => e.Token!).ToHashSet(ReferenceEqualityComparer.Instance);
        var findings = new List<SchemaFinding>();
        foreach (var error in errors.Where(e => e.Token is null || !mistyped.Contains(e.Token) || WrongType.Contains(e.Kind)))
        {
            var position = SourcePosition.Of(error.Token);
            diagnostics.Add(new PolicyDiagnostic(file, position.Line, position.Column, Describe(error)));
            findings.Add(new SchemaFinding(error.Token, error.Property, error.Kind switch
            {
                ValidationErrorKind.NoAdditionalPropertiesAllowed => SchemaFindingKind.UnknownKey,
                ValidationErrorKind.PropertyRequired or ValidationErrorKind.TooFewProperties => SchemaFindingKind.MissingKey,
                _ => SchemaFindingKind.RejectedValue,
            }));
        }

        return findings;
    }

    private static readonly HashSet<ValidationErrorKind> WrongType =
    [
        ValidationErrorKind.StringExpected, ValidationErrorKind.NumberExpected, ValidationErrorKind.IntegerExpected,
        ValidationErrorKind.BooleanExpected, ValidationErrorKind.ObjectExpected, ValidationErrorKind.ArrayExpected,
        ValidationErrorKind.NullExpected,
    ];

    /// <summary>The leaves say what is wrong; a parent only says "something inside is invalid".</summary>
    private static IEnumerable<ValidationError> Leaves(ValidationError error) => error is ChildSchemaValidationError { Errors.Count: > 0 } parent
        ? parent.Errors.Values.SelectMany(e => e).SelectMany(Leaves)
        : [error];

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
            ValidationErrorKind.ObjectExpected when at.Length == 0 => "The file must be a mapping of settings, starting with 'version: 1'.",
            ValidationErrorKind.ObjectExpected => $"'{at}' must be a mapping.",
            ValidationErrorKind.ArrayExpected => $"'{at}' must be a list.",
            _ => $"'{at}': {error.Kind}.",
        };
    }

    /// <summary>A pattern in words, after the pattern itself (also for key names, see <see cref="PolicyKeyNames"/>).</summary>
    public static string PatternHint(string? pattern) => pattern switch
    {
        "^[a-z0-9][a-z0-9_-]{0,62}$" => " (lower-case letters, digits, '_' and '-')",
        "^[A-Za-z0-9-]+$" => " (letters, digits and '-')",
        "\\{prompt\\}" => " (the template must contain {prompt})",
        _ => "",
    };

    private static string DisplayPath(string? path) => (path ?? "").TrimStart('#', '/');

    private static string Parent(string path) => path.Contains('.') ? path[..path.LastIndexOf('.')] : "(top level)";

    private static JsonSchema Load() => JsonSchema.FromJsonAsync(Text()).GetAwaiter().GetResult();
}
