using System.Text.RegularExpressions;

namespace RefusalGate.Cli.Commands;

/// <summary>
/// A configuration value the binder cannot convert (<c>REFUSALGATE_Recalibration__HoldoutFraction=abc</c>), told in one
/// line that names the setting and the value. The binder says both only in its message, so that message is read.
/// </summary>
internal static partial class UnparseableSetting
{
    // Settings whose values may be credentials: their values are never echoed, not even when they do not parse.
    private static readonly string[] SecretWords = ["Key", "Salt", "Password", "Secret", "Authorization", "Headers"];

    /// <summary>The one-line reason, or null when <paramref name="ex"/> (or what it wraps) is not a binder conversion error.</summary>
    public static string? Describe(Exception? ex) => ex switch
    {
        null => null,
        InvalidOperationException when BinderMessage().Match(ex.Message) is { Success: true } match => Describe(match),
        AggregateException aggregate => aggregate.InnerExceptions.Select(Describe).FirstOrDefault(m => m is not null),
        _ => Describe(ex.InnerException),
    };

    private static string Describe(Match match)
    {
        var path = match.Groups["path"].Value;
        var typeName = match.Groups["type"].Value;
        var expected = FindType(typeName) is { IsEnum: true } enumType
            ? $"one of {string.Join(", ", Enum.GetNames(enumType).Select(n => n.ToLowerInvariant()))}"
            : $"a valid {typeName[(typeName.LastIndexOf('.') + 1)..]}";
        var secret = path.Split(':').Any(segment => SecretWords.Any(word => segment.Contains(word, StringComparison.OrdinalIgnoreCase)));
        return secret || !match.Groups["value"].Success
            ? $"{path} is not {expected} (its value is not shown)."
            : $"{path} is '{match.Groups["value"].Value}', which is not {expected}.";
    }

    private static Type? FindType(string fullName) =>
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(fullName, throwOnError: false)).FirstOrDefault(t => t is not null);

    // Microsoft.Extensions.Configuration.Binder's wording; older versions leave out the value.
    [GeneratedRegex(@"^Failed to convert configuration value (?:'(?<value>.*)' )?at '(?<path>[^']*)' to type '(?<type>[^']*)'\.", RegexOptions.Singleline)]
    private static partial Regex BinderMessage();
}
