using RefusalGate.Inference.Encoding;
using RefusalGate.Inference.Tests.Support;
using RefusalGate.Inference.Tokenization;

namespace RefusalGate.Inference.Tests.Tokenization;

public sealed class UseSentencePieceTokenizerTests
{
    private static readonly Lazy<UseSentencePieceTokenizer> Tokenizer = new(() =>
        UseSentencePieceTokenizer.FromVocabularyFile(Path.Combine(RepoPaths.EncoderDirectory, UseLiteModelFiles.VocabularyFileName)));

    public static TheoryData<int> VectorIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < ReferenceVectors.Tokenizer().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void Vectors_cover_the_required_kinds_of_text()
    {
        var texts = ReferenceVectors.Tokenizer().Select(v => v.Text).ToList();
        texts.Count.ShouldBeGreaterThanOrEqualTo(200);
        texts.ShouldContain(string.Empty);
        texts.ShouldContain(t => t.Length >= 5000);
        texts.ShouldContain(t => t.Any(c => c >= '\u4e00' && c <= '\u9fff')); // CJK
        texts.ShouldContain(t => t.Any(c => c >= '\u0600' && c <= '\u06ff')); // Arabic
        texts.ShouldContain(t => t.Any(char.IsSurrogate)); // emoji and other astral characters
        texts.ShouldContain(t => t.Any(c => c >= '\uff01' && c <= '\uff5e')); // full-width
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void Matches_the_reference_JavaScript_tokenizer(int index)
    {
        var vector = ReferenceVectors.Tokenizer()[index];

        Tokenizer.Value.Encode(vector.Text).ShouldBe(vector.Ids, $"text: {vector.Text[..Math.Min(vector.Text.Length, 80)]}");
    }

    [Theory]
    [InlineData("\ud800", "\ufffd")]
    [InlineData("a\udc00b", "a\ufffdb")]
    [InlineData("end\ud83d", "end\ufffd")]
    public void Lone_surrogates_tokenize_like_the_replacement_character(string invalid, string replaced) =>
        Tokenizer.Value.Encode(invalid).ShouldBe(Tokenizer.Value.Encode(replaced));

    [Fact]
    public void Invalid_utf8_decodes_to_replacement_characters_that_map_to_unknown()
    {
        var text = System.Text.Encoding.UTF8.GetString(new byte[] { 0x68, 0x69, 0x20, 0xC3, 0x28, 0xFF, 0x20, 0x6F, 0x6B });

        var ids = Tokenizer.Value.Encode(text);

        ids.ShouldContain(UseSentencePieceTokenizer.UnknownId);
        ids.ShouldBe(Tokenizer.Value.Encode("hi \ufffd(\ufffd ok"));
    }

    [Fact]
    public void Vocabulary_has_8000_pieces() => Tokenizer.Value.VocabularySize.ShouldBe(8000);

    [Fact]
    public void Hundred_thousand_characters_tokenize_without_truncation()
    {
        var text = string.Concat(Enumerable.Repeat("Tell me a story about dragons. ", 3300))[..100_000];

        var ids = Tokenizer.Value.Encode(text);

        ids.Length.ShouldBeGreaterThan(10_000);
    }
}
