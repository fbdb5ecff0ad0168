using Newtonsoft.Json.Linq;
using YamlDotNet.Core;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>
/// Reads YAML into JSON tokens (<see cref="YamlDocumentReader"/>), each annotated with its <see cref="SourcePosition"/>,
/// so the JSON schema can check the file and every error still points at a line and column of the YAML; turns the
/// parser's exceptions into diagnostics at the place to change.
/// </summary>
internal static class YamlToJson
{
    /// <summary>
    /// Parses <paramref name="yaml"/>; problems are returned as diagnostics, never thrown. A syntax error ends the reading
    /// (the parser cannot go on), but a duplicate key or a second document is reported and the first document is still
    /// returned, so the checks after this one report their errors in the same run.
    /// </summary>
    public static JToken? Read(string file, string yaml, List<PolicyDiagnostic> diagnostics)
    {
        var reader = new YamlDocumentReader(new Parser(new StringReader(yaml)), file, diagnostics);
        try
        {
            return reader.Read();
        }
        catch (YamlLimitException ex)
        {
            diagnostics.Add(new PolicyDiagnostic(file, (int)ex.Start.Line, (int)ex.Start.Column, ex.Message));
        }
        catch (YamlException ex) when (ex.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && IndentationTab(yaml, (int)ex.Start.Line) is { } tab)
        {
            // YamlDotNet places this at the start of the enclosing collection (often 1:1); the tab is what to change.
            diagnostics.Add(new PolicyDiagnostic(file, tab.Line, tab.Column, TabMessage));
        }
        catch (YamlException ex)
        {
            diagnostics.Add(new PolicyDiagnostic(file, (int)ex.Start.Line, (int)ex.Start.Column, $"YAML syntax error: {Innermost(ex).Message}"));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, on unterminated flow collections (find the bracket)
            // and on a tab that starts a line inside one.
            var (line, column, bracket) = FirstUnclosedBracket(yaml);
            diagnostics.Add(bracket != '\0' ? new PolicyDiagnostic(file, line, column, $"YAML syntax error: this '{bracket}' is never closed.")
                : IndentationTab(yaml, fromLine: 1) is { } tab ? new PolicyDiagnostic(file, tab.Line, tab.Column, TabMessage)
                : new PolicyDiagnostic(file, 1, 1, "YAML syntax error: the file ends inside a [ ] or { } collection."));
        }

        return reader.Root;
    }

    private const string TabMessage = "YAML syntax error: a tab is used for indentation; YAML indents with spaces only.";

    /// <summary>
    /// The first tab in the indentation of a line (the blanks before its first character) at or after
    /// <paramref name="fromLine"/>; lines that are blank or only a comment are skipped, tabs are allowed there.
    /// </summary>
    private static (int Line, int Column)? IndentationTab(string yaml, int fromLine)
    {
        var lines = yaml.Split('\n');
        for (var i = Math.Max(fromLine, 1) - 1; i < lines.Length; i++)
        {
            var line = lines[i];
            var indentation = line.Length - line.TrimStart(' ', '\t').Length;
            var tab = line.IndexOf('\t', 0, indentation);
            if (tab >= 0 && indentation < line.TrimEnd('\r').Length && line[indentation] != '#')
            {
                return (i + 1, tab + 1);
            }
        }

        return null;
    }

    /// <summary>The first [ or { left open at the end (quoted text and comments skipped); '\0' when none is found.</summary>
    private static (int Line, int Column, char Bracket) FirstUnclosedBracket(string yaml)
    {
        var open = new Stack<(int Line, int Column, char Bracket)>();
        int line = 1, column = 0;
        char? quote = null;
        var comment = false;
        for (var i = 0; i < yaml.Length; i++)
        {
            var c = yaml[i];
            column++;
            if (c == '\n')
            {
                (line, column, comment) = (line + 1, 0, false);
                continue;
            }

            if (comment)
            {
                continue;
            }

            if (quote is { } q)
            {
                quote = c == q && (q == '\'' || yaml[i - 1] != '\\') ? null : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(yaml[i - 1])))
            {
                comment = true;
            }
            else if (c is '[' or '{')
            {
                open.Push((line, column, c));
            }
            else if (c is ']' or '}' && open.Count > 0)
            {
                open.Pop();
            }
        }

        return open.Count == 0 ? (0, 0, '\0') : open.Last();
    }

    private static Exception Innermost(YamlException ex) => ex.InnerException is YamlException inner ? Innermost(inner) : ex;
}
