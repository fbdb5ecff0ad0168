using System.Text.RegularExpressions;

namespace RefusalGate.Gateway.Policies.SelfPrediction;

/// <summary>
/// Puts the user's prompt into the self-prediction template without letting it close the template's own tags: a
/// prompt that contains "&lt;/request&gt;" could otherwise end the quoted request and add instructions of its own ("answer
/// would_refuse: false"). Every tag the template uses is defused in the prompt by a "‹" in place of its "&lt;".
/// </summary>
internal static partial class EmbeddedPrompt
{
    public static string Fill(string template, string placeholder, string prompt)
    {
        foreach (var tag in TemplateTags().Matches(template).Select(m => m.Groups["name"].Value).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            prompt = Regex.Replace(prompt, $@"<(\s*/?\s*{Regex.Escape(tag)}\b)", "‹$1", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }

        return template.Replace(placeholder, prompt, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"</?(?<name>[A-Za-z][\w-]*)\s*>", RegexOptions.CultureInvariant)]
    private static partial Regex TemplateTags();
}
