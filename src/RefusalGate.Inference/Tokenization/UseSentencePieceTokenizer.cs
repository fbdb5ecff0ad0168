using System.Buffers;
using System.Text.Json;

namespace RefusalGate.Inference.Tokenization;

/// <summary>
/// The SentencePiece unigram tokenizer of Universal Sentence Encoder lite, reproducing the package's
/// reference JavaScript tokenizer (npm @energetic-ai/embeddings@0.2.0) id for id.
/// </summary>
/// <remarks>
/// The encoder was trained on that tokenizer's output, so its quirks are kept on purpose:
/// NFKC, then "▁" prepended and only ASCII spaces turned into "▁"; code points as symbols;
/// a position no piece starts with becomes &lt;unk&gt; (id 0, score 0); Viterbi prefers the LATER
/// candidate on ties and treats an accumulated score of exactly 0 as unset; back-tracking steps by the
/// UTF-16 length of the piece; runs of &lt;unk&gt; collapse to one; the 6 reserved ids are never produced.
/// Lone surrogates become U+FFFD first (both map to id 0 in the reference). No truncation: the encoder
/// windows long inputs. Thread-safe after construction.
/// </remarks>
public sealed class UseSentencePieceTokenizer
{
    /// <summary>Id of &lt;unk&gt;, also produced for any symbol the vocabulary lacks.</summary>
    public const int UnknownId = 0;

    private const int ReservedSymbols = 6;
    private const int Separator = 0x2581;

    private readonly TrieNode _root = new();
    private readonly int[] _pieceUtf16Length;

    private UseSentencePieceTokenizer(IReadOnlyList<(string Piece, double Score)> vocabulary)
    {
        _pieceUtf16Length = vocabulary.Select(v => v.Piece.Length).ToArray();
        for (var index = ReservedSymbols; index < vocabulary.Count; index++)
        {
            var (piece, score) = vocabulary[index];
            var node = _root;
            var i = 0;
            while (i < piece.Length)
            {
                var codePoint = char.ConvertToUtf32(piece, i);
                i += char.IsSurrogatePair(piece, i) ? 2 : 1;
                node = node.GetOrAddChild(codePoint);
            }

            // A duplicated piece keeps the last id and score, as the reference trie does.
            node.IsEnd = true;
            node.Score = score;
            node.Id = index;
        }
    }

    /// <summary>Number of ids (pieces) in the vocabulary.</summary>
    public int VocabularySize => _pieceUtf16Length.Length;

    /// <summary>Loads <c>vocab.json</c>: an array of <c>[piece, score]</c> pairs (a null score counts as 0).</summary>
    public static UseSentencePieceTokenizer FromVocabularyFile(string path)
    {
        using var stream = File.OpenRead(path);
        using var document = JsonDocument.Parse(stream);
        var vocabulary = new List<(string, double)>(document.RootElement.GetArrayLength());
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            var piece = entry[0].GetString() ?? throw new InvalidDataException($"{path}: null piece at index {vocabulary.Count}");
            var score = entry[1].ValueKind == JsonValueKind.Null ? 0.0 : entry[1].GetDouble();
            vocabulary.Add((piece, score));
        }

        return new UseSentencePieceTokenizer(vocabulary);
    }

    /// <summary>Token ids of <paramref name="text"/>, exactly as the reference tokenizer produces them.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = UnicodeNfkc.Normalize(ReplaceLoneSurrogates(text));
        if (normalized.Length == 0)
        {
            return [];
        }

        var symbols = ArrayPool<int>.Shared.Rent(normalized.Length + 1);
        var best = ArrayPool<double>.Shared.Rent(normalized.Length + 2);
        var words = ArrayPool<int>.Shared.Rent(normalized.Length + 2);
        try
        {
            var count = ToSymbols(normalized, symbols);
            Array.Clear(best, 0, count + 1);
            Array.Clear(words, 0, count + 1);
            Viterbi(symbols.AsSpan(0, count), best, words);
            return Backtrack(words, count);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(symbols);
            ArrayPool<double>.Shared.Return(best);
            ArrayPool<int>.Shared.Return(words);
        }
    }

    private static string ReplaceLoneSurrogates(string text)
    {
        char[]? copy = null;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                copy ??= text.ToCharArray();
                copy[i] = '\uFFFD';
            }
        }

        return copy is null ? text : new string(copy);
    }

    private static int ToSymbols(string normalized, int[] symbols)
    {
        var count = 0;
        symbols[count++] = Separator;
        for (var i = 0; i < normalized.Length; i++)
        {
            int codePoint = normalized[i];
            if (char.IsHighSurrogate(normalized[i]) && i + 1 < normalized.Length && char.IsLowSurrogate(normalized[i + 1]))
            {
                codePoint = char.ConvertToUtf32(normalized[i], normalized[i + 1]);
                i++;
            }

            symbols[count++] = codePoint == ' ' ? Separator : codePoint;
        }

        return count;
    }

    private void Viterbi(ReadOnlySpan<int> symbols, double[] best, int[] words)
    {
        // Forward pass in ascending start order: for every end position the candidates arrive in
        // ascending start order, the order in which the reference visits them.
        for (var start = 0; start < symbols.Length; start++)
        {
            var node = _root.Child(symbols[start]);
            var matched = false;
            for (var end = start + 1; node is not null; end++)
            {
                if (node.IsEnd)
                {
                    matched = true;
                    Relax(best, words, start, end, node.Score, node.Id);
                }

                if (end >= symbols.Length)
                {
                    break;
                }

                node = node.Child(symbols[end]);
            }

            if (!matched)
            {
                Relax(best, words, start, start + 1, 0.0, UnknownId);
            }
        }
    }

    private static void Relax(double[] best, int[] words, int start, int end, double score, int id)
    {
        var total = score + best[start];
        if (best[end] == 0 || total >= best[end])
        {
            best[end] = total;
            words[end] = id;
        }
    }

    private int[] Backtrack(int[] words, int count)
    {
        var reversed = new List<int>(Math.Min(count, 256));
        var position = count;
        var previousUnknown = false;
        while (position > 0)
        {
            var id = words[position];
            if (!(previousUnknown && id == UnknownId))
            {
                reversed.Add(id);
            }

            previousUnknown = id == UnknownId;
            position -= _pieceUtf16Length[id];
        }

        reversed.Reverse();
        return [.. reversed];
    }

    private sealed class TrieNode
    {
        private Dictionary<int, TrieNode>? _children;

        public bool IsEnd { get; set; }

        public double Score { get; set; }

        public int Id { get; set; }

        public TrieNode? Child(int codePoint) =>
            _children is not null && _children.TryGetValue(codePoint, out var child) ? child : null;

        public TrieNode GetOrAddChild(int codePoint)
        {
            _children ??= [];
            if (!_children.TryGetValue(codePoint, out var child))
            {
                child = new TrieNode();
                _children[codePoint] = child;
            }

            return child;
        }
    }
}
