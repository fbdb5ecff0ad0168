using System.Globalization;
using Newtonsoft.Json.Linq;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>
/// Reads YAML into JSON tokens, each annotated with its <see cref="SourcePosition"/>, so the JSON schema can check the
/// file and every error still points at a line and column of the YAML. Plain scalars get YAML 1.2 core types
/// (booleans, null, integers, floats); quoted scalars stay strings.
/// </summary>
internal static class YamlToJson
{
    /// <summary>Parses <paramref name="yaml"/>; a syntax error is returned as a diagnostic, never thrown.</summary>
    public static JToken? Read(string file, string yaml, List<PolicyDiagnostic> diagnostics)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            diagnostics.Add(new PolicyDiagnostic(file, (int)ex.Start.Line, (int)ex.Start.Column, $"YAML syntax error: {Innermost(ex).Message}"));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, without a position, on unterminated flow collections: find the bracket.
            var (line, column, bracket) = FirstUnclosedBracket(yaml);
            diagnostics.Add(bracket == '\0'
                ? new PolicyDiagnostic(file, 1, 1, "YAML syntax error: the file ends inside a [ ] or { } collection.")
                : new PolicyDiagnostic(file, line, column, $"YAML syntax error: this '{bracket}' is never closed."));
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            diagnostics.Add(new PolicyDiagnostic(file, 1, 1, "The file is empty; a policy file needs at least 'version: 1'."));
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            diagnostics.Add(new PolicyDiagnostic(file, (int)second.Line, (int)second.Column, "Only one YAML document per policy file is allowed."));
            return null;
        }

        return Convert(stream.Documents[0].RootNode);
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

    private static JToken Convert(YamlNode node)
    {
        JToken token;
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    // YamlStream has already rejected duplicate keys.
                    var key = keyNode is YamlScalarNode scalarKey ? scalarKey.Value ?? "" : keyNode.ToString();
                    var property = new JProperty(key, Convert(valueNode));
                    property.AddAnnotation(new SourcePosition((int)keyNode.Start.Line, (int)keyNode.Start.Column));
                    obj.Add(property);
                }

                token = obj;
                break;
            case YamlSequenceNode sequence:
                token = new JArray(sequence.Children.Select(Convert));
                break;
            case YamlScalarNode scalar:
                token = Scalar(scalar);
                break;
            default:
                token = JValue.CreateNull();
                break;
        }

        token.AddAnnotation(new SourcePosition((int)node.Start.Line, (int)node.Start.Column));
        return token;
    }

    private static JValue Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return new JValue(text);
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => JValue.CreateNull(),
            "true" or "True" or "TRUE" => new JValue(true),
            "false" or "False" or "FALSE" => new JValue(false),
            _ when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) => new JValue(integer),
            _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) => new JValue(number),
            _ => new JValue(text),
        };
    }

    private static Exception Innermost(YamlException ex) => ex.InnerException is YamlException inner ? Innermost(inner) : ex;
}
