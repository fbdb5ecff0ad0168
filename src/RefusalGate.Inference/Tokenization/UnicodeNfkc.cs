using System.Globalization;
using System.Reflection;
using System.Text;

namespace RefusalGate.Inference.Tokenization;

/// <summary>
/// Unicode NFKC normalisation in managed code, driven by tables generated from Python's
/// <c>unicodedata</c> (onnx-models/build/make_nfkc_table.py), the normaliser of the Python tokenizer port.
/// </summary>
/// <remarks>
/// Needed because <see cref="string.Normalize(NormalizationForm)"/> silently returns its input under
/// InvariantGlobalization, which the gateway uses. Implements UAX #15: full compatibility
/// decomposition (Hangul algorithmically), canonical ordering, canonical composition.
/// Input must be valid UTF-16 (the tokenizer replaces lone surrogates first).
/// </remarks>
internal static class UnicodeNfkc
{
    private const int HangulSBase = 0xAC00;
    private const int HangulLBase = 0x1100;
    private const int HangulVBase = 0x1161;
    private const int HangulTBase = 0x11A7;
    private const int HangulLCount = 19;
    private const int HangulVCount = 21;
    private const int HangulTCount = 28;
    private const int HangulNCount = HangulVCount * HangulTCount;
    private const int HangulSCount = HangulLCount * HangulNCount;

    private static readonly Lazy<Tables> Data = new(Tables.Load);

    /// <summary>Version of the Unicode Character Database the tables were generated from.</summary>
    public static string UnicodeVersion => Data.Value.UnicodeVersion;

    public static string Normalize(string text)
    {
        if (IsAsciiOnly(text))
        {
            return text; // ASCII is NFKC-stable; most prompts take this path.
        }

        var tables = Data.Value;
        var buffer = new List<int>(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            int codePoint = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                codePoint = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }

            Decompose(codePoint, tables, buffer);
        }

        ReorderCanonically(buffer, tables);
        Compose(buffer, tables);
        var builder = new StringBuilder(buffer.Count + 8);
        foreach (var codePoint in buffer)
        {
            if (codePoint < 0x10000)
            {
                builder.Append((char)codePoint);
            }
            else
            {
                builder.Append((char)(0xD800 + ((codePoint - 0x10000) >> 10)));
                builder.Append((char)(0xDC00 + ((codePoint - 0x10000) & 0x3FF)));
            }
        }

        return builder.ToString();
    }

    private static bool IsAsciiOnly(string text)
    {
        foreach (var c in text)
        {
            if (c > 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    private static void Decompose(int codePoint, Tables tables, List<int> output)
    {
        var sIndex = codePoint - HangulSBase;
        if (sIndex is >= 0 and < HangulSCount)
        {
            output.Add(HangulLBase + (sIndex / HangulNCount));
            output.Add(HangulVBase + (sIndex % HangulNCount / HangulTCount));
            var t = sIndex % HangulTCount;
            if (t != 0)
            {
                output.Add(HangulTBase + t);
            }

            return;
        }

        if (tables.Decompositions.TryGetValue(codePoint, out var mapping))
        {
            output.AddRange(mapping);
        }
        else
        {
            output.Add(codePoint);
        }
    }

    private static void ReorderCanonically(List<int> buffer, Tables tables)
    {
        // Stable insertion sort of each run of non-starters by combining class.
        for (var i = 1; i < buffer.Count; i++)
        {
            var current = buffer[i];
            var currentClass = tables.CombiningClass(current);
            if (currentClass == 0)
            {
                continue;
            }

            var j = i;
            while (j > 0)
            {
                var previousClass = tables.CombiningClass(buffer[j - 1]);
                if (previousClass <= currentClass)
                {
                    break;
                }

                buffer[j] = buffer[j - 1];
                j--;
            }

            buffer[j] = current;
        }
    }

    private static void Compose(List<int> buffer, Tables tables)
    {
        if (buffer.Count < 2)
        {
            return;
        }

        var starterPosition = 0;
        var starter = buffer[0];
        var lastClass = tables.CombiningClass(starter) == 0 ? 0 : 256;
        var write = 1;
        for (var read = 1; read < buffer.Count; read++)
        {
            var codePoint = buffer[read];
            var combiningClass = tables.CombiningClass(codePoint);
            if ((lastClass < combiningClass || lastClass == 0) && TryComposePair(starter, codePoint, tables, out var composite))
            {
                buffer[starterPosition] = composite;
                starter = composite;
                continue;
            }

            if (combiningClass == 0)
            {
                starterPosition = write;
                starter = codePoint;
            }

            lastClass = combiningClass;
            buffer[write++] = codePoint;
        }

        buffer.RemoveRange(write, buffer.Count - write);
    }

    private static bool TryComposePair(int first, int second, Tables tables, out int composite)
    {
        var lIndex = first - HangulLBase;
        if (lIndex is >= 0 and < HangulLCount)
        {
            var vIndex = second - HangulVBase;
            if (vIndex is >= 0 and < HangulVCount)
            {
                composite = HangulSBase + (((lIndex * HangulVCount) + vIndex) * HangulTCount);
                return true;
            }
        }

        var sIndex = first - HangulSBase;
        if (sIndex is >= 0 and < HangulSCount && sIndex % HangulTCount == 0)
        {
            var tIndex = second - HangulTBase;
            if (tIndex is > 0 and < HangulTCount)
            {
                composite = first + tIndex;
                return true;
            }
        }

        return tables.Compositions.TryGetValue(((long)first << 21) | (uint)second, out composite);
    }

    private sealed class Tables
    {
        public required string UnicodeVersion { get; init; }

        public required Dictionary<int, int[]> Decompositions { get; init; }

        public required Dictionary<int, byte> CombiningClasses { get; init; }

        public required Dictionary<long, int> Compositions { get; init; }

        public int CombiningClass(int codePoint) =>
            codePoint < 0x300 ? 0 : CombiningClasses.TryGetValue(codePoint, out var value) ? value : 0;

        public static Tables Load()
        {
            using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("RefusalGate.Inference.nfkc-data.txt")
                ?? throw new InvalidOperationException("Embedded resource RefusalGate.Inference.nfkc-data.txt is missing.");
            using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
            var decompositions = new Dictionary<int, int[]>();
            var classes = new Dictionary<int, byte>();
            var compositions = new Dictionary<long, int>();
            var version = "unknown";
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                var fields = line.Split(' ');
                switch (fields[0])
                {
                    case "#":
                        version = fields[2].TrimEnd(';');
                        break;
                    case "D":
                        decompositions[Hex(fields[1])] = fields.Skip(2).Select(Hex).ToArray();
                        break;
                    case "K":
                        classes[Hex(fields[1])] = byte.Parse(fields[2], CultureInfo.InvariantCulture);
                        break;
                    case "P":
                        compositions[((long)Hex(fields[1]) << 21) | (uint)Hex(fields[2])] = Hex(fields[3]);
                        break;
                    default:
                        throw new InvalidDataException($"Unexpected NFKC table record: {line}");
                }
            }

            return new Tables { UnicodeVersion = version, Decompositions = decompositions, CombiningClasses = classes, Compositions = compositions };
        }

        private static int Hex(string value) => int.Parse(value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
