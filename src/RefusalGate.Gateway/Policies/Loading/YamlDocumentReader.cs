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
    private readonly Dictionary<string, JToken> _anchors = new(StringComparer.Ordinal);

    /// <summary>The first document once it has been read completely (so still set when a later document is broken).</summary>
    public JToken? Root { get; private set; }

    /// <summary>Reads the first document; throws the parser's <see cref="YamlException"/> on a syntax error.</summary>
    public JToken? Read()
    {
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _))
        {
            diagnostics.Add(new PolicyDiagnostic(file, 1, 1, "The file is empty; a policy file needs at least 'version: 1'."));
            return null;
        }

        parser.Consume<DocumentStart>();
        var root = Node();
        parser.Consume<DocumentEnd>();
        Root = root;
        if (parser.TryConsume<DocumentStart>(out var second))
        {
            Report(parser.Current is NodeEvent node ? node.Start : second.Start, "Only one YAML document per policy file is allowed.");
        }

        return root;
    }

    private JToken Node()
    {
        var start = parser.Current!.Start;
        JToken token;
        string? anchor = null;
        switch (parser.Current)
        {
            case AnchorAlias alias:
                parser.MoveNext();
                // Positions (annotations) are copied: what an alias stands for is reported where its anchor was written.
                return _anchors.TryGetValue(alias.Value.Value, out var anchored)
                    ? anchored.DeepClone()
                    : throw new YamlException(start, alias.End, $"the alias *{alias.Value.Value} refers to no anchor defined before it.");
            case Scalar scalar:
                parser.MoveNext();
                anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
                token = Value(scalar);
                break;
            case SequenceStart sequence:
                parser.MoveNext();
                anchor = sequence.Anchor.IsEmpty ? null : sequence.Anchor.Value;
                var array = new JArray();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    array.Add(Node());
                }

                token = array;
                break;
            case MappingStart mapping:
                parser.MoveNext();
                anchor = mapping.Anchor.IsEmpty ? null : mapping.Anchor.Value;
                token = Mapping();
                break;
            default:
                throw new YamlException(start, parser.Current.End, $"Unexpected {parser.Current.GetType().Name}.");
        }

        token.AddAnnotation(new SourcePosition((int)start.Line, (int)start.Column));
        if (anchor is not null)
        {
            _anchors[anchor] = token;
        }

        return token;
    }

    private JObject Mapping()
    {
        var obj = new JObject();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyStart = parser.Current!.Start;
            var keyText = (parser.Current as Scalar)?.Value; // As written: a key "1.0" or "true" is not a number or a boolean.
            var keyNode = Node();
            var key = keyText ?? (keyNode as JValue)?.ToString(CultureInfo.InvariantCulture) ?? keyNode.ToString(Newtonsoft.Json.Formatting.None);
            var value = Node();
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
