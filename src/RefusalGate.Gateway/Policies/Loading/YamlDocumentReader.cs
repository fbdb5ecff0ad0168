using System.Globalization;
using Newtonsoft.Json.Linq;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>
/// Builds JSON tokens from the YAML parser's events, each annotated with its <see cref="SourcePosition"/>. Read from the
/// events rather than through YamlStream, which throws on the first duplicate key: here a duplicate key is reported and
/// skipped (the first value stays), and a second document is reported without losing the first, so neither hides the
/// file's other errors. Plain scalars get YAML 1.2 core types (booleans, null, integers, floats); quoted scalars stay
/// strings; tags are not interpreted.
/// </summary>
internal sealed class YamlDocumentReader(IParser parser, string file, List<PolicyDiagnostic> diagnostics)
{
    /// <summary>
    /// Levels of nested mappings and lists (the file's own mapping is the first). A policy needs 7; the bound keeps the
    /// recursive readers after this one (this reader, the schema, the binder) far from the end of a thread's stack,
    /// which a file of a few kilobytes of brackets would otherwise reach, ending the process.
    /// </summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// Values in the document, each alias counted as every value it repeats: a "billion laughs" file of a few lines,
    /// each anchor repeating the one before ten times, would otherwise take the memory and the time of the process.
    /// </summary>
    public const int MaxValues = 100_000;

    public const string EmptyFileMessage = "The file is empty; a policy file needs at least 'version: 1'.";

    private readonly Dictionary<string, (JToken Token, int Values, int Height)> _anchors = new(StringComparer.Ordinal);
    private int _values;

    /// <summary>The first document once it has been read completely (so still set when a later document is broken).</summary>
    public JToken? Root { get; private set; }

    /// <summary>Reads the first document; throws the parser's <see cref="YamlException"/> on a syntax error.</summary>
    public JToken? Read()
    {
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _))
        {
            diagnostics.Add(new PolicyDiagnostic(file, 1, 1, EmptyFileMessage));
            return null;
        }

        parser.Consume<DocumentStart>();
        var root = Node(depth: 1);
        parser.Consume<DocumentEnd>();
        Root = root;
        if (parser.TryConsume<DocumentStart>(out var second))
        {
            Report(parser.Current is NodeEvent node ? node.Start : second.Start, "Only one YAML document per policy file is allowed.");
        }

        return root;
    }

    /// <summary>Reads one node at <paramref name="depth"/> (the number of collections it is in, itself included if it is one).</summary>
    private JToken Node(int depth)
    {
        var start = parser.Current!.Start;
        JToken token;
        string? anchor = null;
        var valuesBefore = _values;
        switch (parser.Current)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                if (!_anchors.TryGetValue(alias.Value.Value, out var anchored))
                {
                    throw new YamlException(start, alias.End, $"the alias *{alias.Value.Value} refers to no anchor defined before it.");
                }

                Limit(start, alias.End, depth - 1 + anchored.Height, anchored.Values);

                // Positions (annotations) are copied: what an alias stands for is reported where its anchor was written.
                return anchored.Token.DeepClone();
            case Scalar scalar:
                Limit(start, scalar.End, depth - 1, 1);
                parser.MoveNext();
                anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
                token = Value(scalar);
                break;
            case SequenceStart sequence:
                Limit(start, sequence.End, depth, 1);
                parser.MoveNext();
                anchor = sequence.Anchor.IsEmpty ? null : sequence.Anchor.Value;
                var array = new JArray();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    array.Add(Node(depth + 1));
                }

                token = array;
                break;
            case MappingStart mapping:
                Limit(start, mapping.End, depth, 1);
                parser.MoveNext();
                anchor = mapping.Anchor.IsEmpty ? null : mapping.Anchor.Value;
                token = Mapping(depth);
                break;
            default:
                throw new YamlException(start, parser.Current.End, $"Unexpected {parser.Current.GetType().Name}.");
        }

        token.AddAnnotation(new SourcePosition((int)start.Line, (int)start.Column));
        if (anchor is not null)
        {
            _anchors[anchor] = (token, _values - valuesBefore, Height(token));
        }

        return token;
    }

    /// <summary>Adds <paramref name="values"/> to the document's count and checks the depth they reach.</summary>
    private void Limit(Mark start, Mark end, int depth, int values)
    {
        if (depth > MaxDepth)
        {
            throw new YamlLimitException(start, end, $"YAML nested more than {MaxDepth} levels deep; a policy file needs fewer than 10.");
        }

        _values += values;
        if (_values > MaxValues)
        {
            throw new YamlLimitException(start, end, $"The file expands to more than {MaxValues} values (an alias counts as every value it repeats); a policy file has a few hundred.");
        }
    }

    /// <summary>Collections from <paramref name="token"/> down to its deepest value (0 for a scalar); bounded by <see cref="MaxDepth"/>.</summary>
    private static int Height(JToken token) => token switch
    {
        JObject obj => 1 + obj.Properties().Select(p => Height(p.Value)).DefaultIfEmpty(0).Max(),
        JArray array => 1 + array.Select(Height).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    private JObject Mapping(int depth)
    {
        var obj = new JObject();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyStart = parser.Current!.Start;
            var keyText = (parser.Current as Scalar)?.Value; // As written: a key "1.0" or "true" is not a number or a boolean.
            var keyNode = Node(depth + 1);
            var key = keyText ?? (keyNode as JValue)?.ToString(CultureInfo.InvariantCulture) ?? keyNode.ToString(Newtonsoft.Json.Formatting.None);
            var value = Node(depth + 1);
            if (obj.Property(key, StringComparison.Ordinal) is { } first)
            {
                var at = SourcePosition.Of(first);
                Report(keyStart, $"Duplicate key {key} (first at line {at.Line}, column {at.Column}); each key may appear once per mapping.");
                continue;
            }

            var property = new JProperty(key, value);
            property.AddAnnotation(new SourcePosition((int)keyStart.Line, (int)keyStart.Column));
            obj.Add(property);
        }

        return obj;
    }

    private void Report(Mark at, string message) => diagnostics.Add(new PolicyDiagnostic(file, (int)at.Line, (int)at.Column, message));

    private static JValue Value(Scalar scalar)
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
}

/// <summary>The file is beyond what a policy can be (<see cref="YamlDocumentReader.MaxDepth"/>, <see cref="YamlDocumentReader.MaxValues"/>); reading stops there.</summary>
internal sealed class YamlLimitException(Mark start, Mark end, string message) : YamlException(start, end, message);
