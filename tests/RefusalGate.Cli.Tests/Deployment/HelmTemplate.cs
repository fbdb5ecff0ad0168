using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace RefusalGate.Cli.Tests.Deployment;

/// <summary>
/// The part of Helm's template language (Go text/template and the Sprig functions) that the chart uses, enough to render
/// it without Helm: actions with <c>{{-</c>/<c>-}}</c> trimming, if/else/with/range/define, include, variables,
/// pipelines and the functions in <see cref="Call"/>. Anything else throws, and so do the mistakes Helm fails on (a
/// field of a missing value, an undefined variable): a template that outgrows this fails its test instead of
/// rendering differently from Helm. Two deliberate differences: <c>.Files.Get</c> of a missing file throws (Helm
/// renders an empty string, which would hide a wrong path), and printing a number Go would write as 1e+06 throws.
/// </summary>
internal sealed partial class HelmTemplate
{
    private readonly Dictionary<string, List<Node>> _defines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Node>> _templates = new(StringComparer.Ordinal);

    /// <param name="templates">File name → template text; every <c>define</c> in any of them can be included from all.</param>
    public HelmTemplate(IReadOnlyDictionary<string, string> templates)
    {
        foreach (var (name, text) in templates)
        {
            var items = Lex(name, text);
            var index = 0;
            _templates[name] = Parse(name, items, ref index, out var terminator);
            if (terminator is not null)
            {
                throw new FormatException($"{name}: {{{{ {terminator} }}}} without a block to close");
            }
        }

        // Helm gathers every file's defines before rendering any, so a helper may be included from anywhere.
        foreach (var define in _templates.Values.SelectMany(nodes => nodes.OfType<DefineNode>()))
        {
            _defines[define.Name] = define.Body;
        }
    }

    /// <summary>Renders template <paramref name="name"/> with <paramref name="root"/> as <c>.</c> and <c>$</c>.</summary>
    public string Render(string name, object? root)
    {
        var output = new StringBuilder();
        Execute(_templates[name], root, new Dictionary<string, object?>(StringComparer.Ordinal) { ["$"] = root }, output);
        return output.ToString();
    }

    /// <summary>Go's truth: false, 0, nil and empty strings and collections are false.</summary>
    public static bool IsTrue(object? value) => value switch
    {
        null => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        double d => d != 0,
        JContainer c => c.Count > 0,
        System.Collections.ICollection c => c.Count > 0,
        _ => true,
    };

    // ---- Lexing: text and actions, with the trim markers applied.

    private abstract record Item;

    private sealed record TextItem(string Text) : Item;

    private sealed record ActionItem(string Inner, int Offset) : Item;

    private static List<Item> Lex(string name, string text)
    {
        var items = new List<Item>();
        var position = 0;
        var trimNext = false;
        while (position < text.Length)
        {
            var open = text.IndexOf("{{", position, StringComparison.Ordinal);
            var literal = text[position..(open < 0 ? text.Length : open)];
            if (trimNext)
            {
                literal = literal.TrimStart(' ', '\t', '\r', '\n');
            }

            if (open < 0)
            {
                items.Add(new TextItem(literal));
                break;
            }

            var close = ActionEnd(name, text, open + 2);
            var inner = text[(open + 2)..close];
            if (inner.Length > 1 && inner[0] == '-' && char.IsWhiteSpace(inner[1]))
            {
                literal = literal.TrimEnd(' ', '\t', '\r', '\n');
                inner = inner[1..];
            }

            trimNext = inner.Length > 1 && inner[^1] == '-' && char.IsWhiteSpace(inner[^2]);
            if (trimNext)
            {
                inner = inner[..^1];
            }

            items.Add(new TextItem(literal));
            inner = inner.Trim();
            if (!(inner.StartsWith("/*", StringComparison.Ordinal) && inner.EndsWith("*/", StringComparison.Ordinal)))
            {
                items.Add(new ActionItem(inner, open));
            }

            position = close + 2;
        }

        return items;
    }

    /// <summary>The offset of the <c>}}</c> that closes the action starting at <paramref name="from"/> (string literals may hold braces).</summary>
    private static int ActionEnd(string name, string text, int from)
    {
        for (var i = from; i < text.Length - 1; i++)
        {
            if (text[i] == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    i += text[i] == '\\' ? 1 : 0;
                }
            }
            else if (text[i] == '`')
            {
                i = text.IndexOf('`', i + 1);
            }
            else if (text[i] == '}' && text[i + 1] == '}')
            {
                return i;
            }

            if (i < 0)
            {
                break;
            }
        }

        throw new FormatException($"{name}: the action at offset {from - 2} is never closed");
    }

    // ---- Parsing: nodes of the template tree.

    private abstract record Node;

    private sealed record TextNode(string Text) : Node;

    private sealed record ActionNode(Pipeline Pipeline) : Node;

    /// <summary><c>if</c> or, with <paramref name="IsWith"/>, <c>with</c> (which also sets <c>.</c> to the value).</summary>
    private sealed record ConditionNode(Pipeline Condition, bool IsWith, List<Node> Then, List<Node> Else) : Node;

    private sealed record RangeNode(Pipeline Source, List<Node> Body) : Node;

    private static List<Node> Parse(string name, List<Item> items, ref int index, out string? terminator)
    {
        var nodes = new List<Node>();
        terminator = null;
        while (index < items.Count)
        {
            var item = items[index++];
            if (item is TextItem text)
            {
                nodes.Add(new TextNode(text.Text));
                continue;
            }

            var action = (ActionItem)item;
            var keyword = KeywordPattern().Match(action.Inner) is { Success: true } m ? m.Groups[1].Value : "";
            var rest = action.Inner[keyword.Length..].Trim();
            switch (keyword)
            {
                case "end":
                case "else":
                    terminator = action.Inner;
                    return nodes;
                case "if":
                case "with":
                    nodes.Add(ParseCondition(name, items, ref index, rest, isWith: keyword == "with"));
                    break;
                case "range":
                    var body = Parse(name, items, ref index, out var end);
                    if (end != "end")
                    {
                        throw new FormatException($"{name}: range without end (or with else, which is not supported here)");
                    }

                    nodes.Add(new RangeNode(Pipeline.Parse(rest), body));
                    break;
                case "define":
                    var defined = Parse(name, items, ref index, out var defineEnd);
                    if (defineEnd != "end")
                    {
                        throw new FormatException($"{name}: define without end");
                    }

                    // Gathered by the constructor; a define renders nothing where it stands.
                    nodes.Add(new DefineNode(((Literal)Pipeline.Parse(rest).Commands.Single().Operands.Single()).Value as string ?? "", defined));
                    break;
                case "template":
                case "block":
                case "break":
                case "continue":
                    throw new NotSupportedException($"{name}: {{{{ {keyword} }}}} is not supported by this renderer");
                default:
                    nodes.Add(new ActionNode(Pipeline.Parse(action.Inner)));
                    break;
            }
        }

        return nodes;
    }

    private sealed record DefineNode(string Name, List<Node> Body) : Node;

    private static ConditionNode ParseCondition(string name, List<Item> items, ref int index, string condition, bool isWith)
    {
        var then = Parse(name, items, ref index, out var terminator);
        var otherwise = new List<Node>();
        if (terminator is null)
        {
            throw new FormatException($"{name}: {(isWith ? "with" : "if")} {condition} without end");
        }

        if (terminator.StartsWith("else", StringComparison.Ordinal))
        {
            var elseRest = terminator["else".Length..].Trim();
            if (elseRest.StartsWith("if ", StringComparison.Ordinal))
            {
                // else if: a nested condition that consumes the shared end.
                otherwise.Add(ParseCondition(name, items, ref index, elseRest["if ".Length..].Trim(), isWith: false));
            }
            else
            {
                otherwise = Parse(name, items, ref index, out var end);
                if (end != "end")
                {
                    throw new FormatException($"{name}: else without end");
                }
            }
        }

        return new ConditionNode(Pipeline.Parse(condition), isWith, then, otherwise);
    }

    [GeneratedRegex(@"^(if|else|end|with|range|define|template|block|break|continue)\b")]
    private static partial Regex KeywordPattern();

    // ---- Execution.

    private void Execute(List<Node> nodes, object? dot, Dictionary<string, object?> variables, StringBuilder output)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    output.Append(text.Text);
                    break;
                case DefineNode:
                    break;
                case ActionNode action:
                    var value = Evaluate(action.Pipeline, dot, variables);
                    if (action.Pipeline.Declarations.Count == 0)
                    {
                        output.Append(Print(value));
                    }

                    break;
                case ConditionNode condition:
                    var scope = new Dictionary<string, object?>(variables, StringComparer.Ordinal);
                    var tested = Evaluate(condition.Condition, dot, scope);
                    if (IsTrue(tested))
                    {
                        Execute(condition.Then, condition.IsWith ? tested : dot, scope, output);
                    }
                    else
                    {
                        Execute(condition.Else, dot, scope, output);
                    }

                    break;
                case RangeNode range:
                    ExecuteRange(range, dot, variables, output);
                    break;
            }
        }
    }

    private void ExecuteRange(RangeNode range, object? dot, Dictionary<string, object?> variables, StringBuilder output)
    {
        var declarations = range.Source.Declarations;
        var source = Evaluate(range.Source with { Declarations = [] }, dot, variables);
        IEnumerable<(object? Key, object? Value)> elements = source switch
        {
            null => [],
            // Go ranges over a map in key order.
            JObject map => map.Properties().OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => ((object?)p.Name, Unwrap(p.Value))),
            JArray list => list.Select((v, i) => ((object?)(long)i, Unwrap(v))),
            _ => throw new InvalidOperationException($"range over {source.GetType().Name} is not supported"),
        };
        foreach (var (key, value) in elements)
        {
            var scope = new Dictionary<string, object?>(variables, StringComparer.Ordinal);
            if (declarations.Count == 1)
            {
                scope[declarations[0]] = value;
            }
            else if (declarations.Count == 2)
            {
                scope[declarations[0]] = key;
                scope[declarations[1]] = value;
            }

            Execute(range.Body, value, scope, output);
        }
    }

    private object? Evaluate(Pipeline pipeline, object? dot, Dictionary<string, object?> variables)
    {
        object? value = null;
        var piped = false;
        foreach (var command in pipeline.Commands)
        {
            value = EvaluateCommand(command, dot, variables, piped ? [value] : []);
            piped = true;
        }

        foreach (var declaration in pipeline.Declarations)
        {
            variables[declaration] = value;
        }

        return value;
    }

    private object? EvaluateCommand(Command command, object? dot, Dictionary<string, object?> variables, object?[] piped)
    {
        var head = command.Operands[0];
        var arguments = command.Operands.Skip(1).Select(o => EvaluateOperand(o, dot, variables)).Concat(piped).ToArray();
        switch (head)
        {
            case Identifier function:
                return Call(function.Name, arguments);
            case Field { Path: [.., "Files", "Get"] } files:
                var accessor = Resolve(files with { Path = files.Path[..^1] }, dot, variables) as ChartFiles
                    ?? throw new InvalidOperationException(".Files is not the chart's files");
                return accessor.Get(arguments.Single() as string ?? throw new InvalidOperationException(".Files.Get takes a path"));
            default:
                if (arguments.Length > 0)
                {
                    throw new InvalidOperationException($"{head} is not a function and takes no arguments");
                }

                return EvaluateOperand(head, dot, variables);
        }
    }

    private object? EvaluateOperand(Operand operand, object? dot, Dictionary<string, object?> variables) => operand switch
    {
        Literal literal => literal.Value,
        Field field => Resolve(field, dot, variables),
        Parenthesised inner => Evaluate(inner.Pipeline, dot, variables),
        Identifier function => Call(function.Name, []),
        _ => throw new InvalidOperationException($"unknown operand {operand}"),
    };

    private static object? Resolve(Field field, object? dot, Dictionary<string, object?> variables)
    {
        var value = field.Variable is null ? dot
            : variables.TryGetValue(field.Variable, out var bound) ? bound
            : throw new InvalidOperationException($"undefined variable \"{field.Variable}\"");
        foreach (var name in field.Path)
        {
            value = value switch
            {
                null => throw new InvalidOperationException($"nil pointer evaluating .{name} in {field}"),
                JObject map => Unwrap(map[name]),
                IReadOnlyDictionary<string, object?> fields => fields.TryGetValue(name, out var found) ? found
                    : throw new InvalidOperationException($"can't evaluate field {name} in {field}"),
                _ => throw new InvalidOperationException($"can't evaluate field {name} of a {value.GetType().Name} in {field}"),
            };
        }

        return value;
    }

    /// <summary>A value of the values tree as Go sees it: scalars as strings, numbers, booleans or nil; maps and lists as they are.</summary>
    private static object? Unwrap(JToken? token) => token switch
    {
        null => null,
        JValue { Type: JTokenType.Integer } v => Convert.ToInt64(v.Value, CultureInfo.InvariantCulture),
        JValue { Type: JTokenType.Float } v => Convert.ToDouble(v.Value, CultureInfo.InvariantCulture),
        JValue v => v.Value is null ? null : v.Value as string ?? v.Value,
        _ => token,
    };

    // ---- Functions.

    private object? Call(string name, object?[] arguments) => name switch
    {
        "include" => Include(Text(arguments[0]), arguments[1]),
        "tpl" => Tpl(Text(arguments[0]), arguments[1]),
        "default" => arguments.Length < 2 || !IsTrue(arguments[1]) ? arguments[0] : arguments[1],
        "quote" => string.Join(' ', arguments.Where(a => a is not null).Select(a => JsonConvert.ToString(Text(a)))),
        "toYaml" => Yaml.Of(arguments.Single()),
        "indent" => Indent(Integer(arguments[0]), Text(arguments[1])),
        "nindent" => "\n" + Indent(Integer(arguments[0]), Text(arguments[1])),
        "trunc" => Truncated(Text(arguments[1]), Integer(arguments[0])),
        "trimSuffix" => Text(arguments[1]) is var text && text.EndsWith(Text(arguments[0]), StringComparison.Ordinal) ? text[..^Text(arguments[0]).Length] : text,
        "printf" => Printf(Text(arguments[0]), arguments[1..]),
        "sha256sum" => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text(arguments.Single())))),
        "not" => !IsTrue(arguments.Single()),
        // Go's and/or give the deciding argument, not a boolean.
        "and" => arguments.FirstOrDefault(a => !IsTrue(a), arguments[^1]),
        "or" => arguments.FirstOrDefault(IsTrue, arguments[^1]),
        "eq" => arguments.Skip(1).Any(a => Equals(a, arguments[0])),
        "true" => true,
        "false" => false,
        "nil" => null,
        _ => throw new NotSupportedException($"the function {name} is not supported by this renderer"),
    };

    private string Include(string name, object? data)
    {
        if (!_defines.TryGetValue(name, out var body))
        {
            throw new InvalidOperationException($"no template \"{name}\" is defined");
        }

        var output = new StringBuilder();
        Execute(body, data, new Dictionary<string, object?>(StringComparer.Ordinal) { ["$"] = data }, output);
        return output.ToString();
    }

    /// <summary>Helm's <c>tpl</c>: the text rendered as a template of its own, with the chart's defines.</summary>
    private string Tpl(string text, object? data)
    {
        var items = Lex("tpl", text);
        var index = 0;
        var nodes = Parse("tpl", items, ref index, out _);
        var output = new StringBuilder();
        Execute(nodes, data, new Dictionary<string, object?>(StringComparer.Ordinal) { ["$"] = data }, output);
        return output.ToString();
    }

    private static string Truncated(string text, int length) => text.Length > length ? text[..length] : text;

    private static string Indent(int spaces, string text)
    {
        var pad = new string(' ', spaces);
        return pad + text.Replace("\n", "\n" + pad, StringComparison.Ordinal);
    }

    private static string Printf(string format, object?[] arguments)
    {
        var next = 0;
        return PrintfVerb().Replace(format, m => m.Value == "%%" ? "%" : Text(arguments[next++]));
    }

    [GeneratedRegex("%[%svd]")]
    private static partial Regex PrintfVerb();

    private static int Integer(object? value) => value is long l ? (int)l : throw new InvalidOperationException($"expected an integer, got {value}");

    /// <summary>A value as Sprig turns it into a string.</summary>
    private static string Text(object? value) => value is string s ? s : Print(value);

    /// <summary>A value as <c>{{ value }}</c> prints it.</summary>
    private static string Print(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        // Helm's numbers are float64, printed with %v: 8080 stays 8080, but 1048576 comes out as 1.048576e+06.
        double d when d == Math.Floor(d) && Math.Abs(d) < 1e6 => d.ToString("0", CultureInfo.InvariantCulture),
        double d => throw new NotSupportedException($"Helm would print {d} in Go's %v form (1e+06 for a million): quote it or use toYaml"),
        _ => throw new InvalidOperationException($"printing a {value.GetType().Name} gives Go's map[...] form, not YAML: use toYaml"),
    };

    // ---- Pipelines.

    private abstract record Operand;

    private sealed record Literal(object? Value) : Operand;

    /// <summary><c>.a.b</c> (no variable), <c>$.a</c>, <c>$x.a</c> or just <c>$x</c>.</summary>
    private sealed record Field(string? Variable, string[] Path) : Operand
    {
        public override string ToString() => (Variable ?? "") + (Path.Length == 0 && Variable is null ? "." : string.Concat(Path.Select(p => "." + p)));
    }

    private sealed record Identifier(string Name) : Operand;

    private sealed record Parenthesised(Pipeline Pipeline) : Operand;

    private sealed record Command(List<Operand> Operands);

    private sealed partial record Pipeline(List<string> Declarations, List<Command> Commands)
    {
        public static Pipeline Parse(string text)
        {
            var tokens = Tokens().Matches(text).Select(m => m.Value).Where(t => !string.IsNullOrWhiteSpace(t)).ToList();
            var index = 0;
            var pipeline = ParseTokens(tokens, ref index);
            if (index != tokens.Count)
            {
                throw new FormatException($"unexpected {tokens[index]} in {{{{ {text} }}}}");
            }

            return pipeline;
        }

        private static Pipeline ParseTokens(List<string> tokens, ref int index)
        {
            var declarations = new List<string>();
            var assignment = tokens.IndexOf(":=", index);
            var closing = tokens.IndexOf(")", index);
            if (assignment >= 0 && (closing < 0 || assignment < closing))
            {
                declarations.AddRange(tokens[index..assignment].Where(t => t != ","));
                index = assignment + 1;
            }

            var commands = new List<Command> { new([]) };
            while (index < tokens.Count && tokens[index] != ")")
            {
                var token = tokens[index++];
                if (token == "|")
                {
                    commands.Add(new Command([]));
                    continue;
                }

                commands[^1].Operands.Add(token switch
                {
                    "(" => ParseParenthesised(tokens, ref index),
                    ['"', ..] => new Literal(JsonConvert.DeserializeObject<string>(token)),
                    ['`', ..] => new Literal(token[1..^1]),
                    _ when long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => new Literal(number),
                    "." => new Field(null, []),
                    ['.', ..] => new Field(null, token[1..].Split('.')),
                    ['$', ..] => new Field(token.Split('.')[0], token.Split('.')[1..]),
                    _ => new Identifier(token),
                });
            }

            if (commands.Any(c => c.Operands.Count == 0))
            {
                throw new FormatException("an empty command in a pipeline");
            }

            return new Pipeline(declarations, commands);
        }

        private static Parenthesised ParseParenthesised(List<string> tokens, ref int index)
        {
            var inner = ParseTokens(tokens, ref index);
            if (index >= tokens.Count || tokens[index] != ")")
            {
                throw new FormatException("an unclosed (");
            }

            index++;
            return new Parenthesised(inner);
        }

        [GeneratedRegex(@"""(?:[^""\\]|\\.)*""|`[^`]*`|:=|[()|,]|[^\s()|,]+|\s+")]
        private static partial Regex Tokens();
    }

    /// <summary><c>toYaml</c>: block YAML, keys sorted as Helm's marshaller sorts them, without the final newline.</summary>
    private static partial class Yaml
    {
        public static string Of(object? value)
        {
            var token = value switch
            {
                JToken t => t,
                null => JValue.CreateNull(),
                _ => new JValue(value),
            };
            if (token is JContainer { Count: > 0 })
            {
                var text = new StringBuilder();
                Write(text, token, 0);
                return text.ToString().TrimEnd('\n');
            }

            return Scalar(token);
        }

        private static void Write(StringBuilder text, JToken token, int indent)
        {
            var pad = new string(' ', indent);
            if (token is JObject map)
            {
                foreach (var property in map.Properties().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    text.Append(pad).Append(ScalarText(property.Name)).Append(':');
                    WriteValue(text, property.Value, indent + 2);
                }
            }
            else
            {
                foreach (var item in (JArray)token)
                {
                    // The item written one level deeper, then its first indentation replaced by the dash.
                    var nested = new StringBuilder();
                    if (item is JContainer { Count: > 0 })
                    {
                        Write(nested, item, indent + 2);
                        text.Append(pad).Append("- ").Append(nested.ToString()[(indent + 2)..]);
                    }
                    else
                    {
                        text.Append(pad).Append("- ").Append(Scalar(item)).Append('\n');
                    }
                }
            }
        }

        private static void WriteValue(StringBuilder text, JToken value, int indent)
        {
            if (value is JContainer { Count: > 0 })
            {
                text.Append('\n');
                Write(text, value, indent);
            }
            else
            {
                text.Append(' ').Append(Scalar(value)).Append('\n');
            }
        }

        private static string Scalar(JToken token) => token switch
        {
            JObject => "{}",
            JArray => "[]",
            JValue { Type: JTokenType.Null } => "null",
            JValue { Type: JTokenType.Boolean } v => (bool)v ? "true" : "false",
            JValue { Type: JTokenType.Integer or JTokenType.Float } v => Convert.ToString(v.Value, CultureInfo.InvariantCulture)!,
            JValue v => ScalarText(Convert.ToString(v.Value, CultureInfo.InvariantCulture)!),
            _ => throw new NotSupportedException($"toYaml of {token.Type}"),
        };

        /// <summary>A string plain when YAML reads it back as the same string, else double-quoted (JSON escapes are YAML's).</summary>
        private static string ScalarText(string text) =>
            PlainString().IsMatch(text) && !NotAString().IsMatch(text) ? text : JsonConvert.ToString(text);

        [GeneratedRegex("^[A-Za-z_/][A-Za-z0-9_./-]*$")]
        private static partial Regex PlainString();

        [GeneratedRegex("^(?i:true|false|yes|no|on|off|y|n|null)$")]
        private static partial Regex NotAString();
    }
}

/// <summary><c>.Files</c>: the chart's own files (Helm reads nothing outside the chart directory).</summary>
internal sealed class ChartFiles(string chartDirectory)
{
    public string Get(string path)
    {
        var full = Path.GetFullPath(Path.Combine(chartDirectory, path));
        if (!full.StartsWith(Path.GetFullPath(chartDirectory) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($".Files.Get \"{path}\": Helm reads only files inside the chart");
        }

        return File.Exists(full) ? File.ReadAllText(full)
            : throw new FileNotFoundException($".Files.Get \"{path}\": no such file in the chart (Helm would render an empty string)", full);
    }
}
