using System.Text.Json;
using RefusalGate.Inference.Tests.Support;
using RefusalGate.Inference.Tokenization;

namespace RefusalGate.Inference.Tests.Tokenization;

public sealed class UnicodeNfkcTests
{
    [Fact]
    public void Matches_python_unicodedata_on_every_vector()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepoPaths.TestData("nfkc-vectors.json")));
        var failures = new List<string>();
        var count = 0;
        foreach (var vector in document.RootElement.GetProperty("vectors").EnumerateArray())
        {
            count++;
            var input = vector.GetProperty("input").GetString()!;
            var expected = vector.GetProperty("nfkc").GetString()!;
            var actual = UnicodeNfkc.Normalize(input);
            if (actual != expected)
            {
                failures.Add($"{Hex(input)} -> {Hex(actual)}, expected {Hex(expected)}");
            }
        }

        count.ShouldBeGreaterThan(10_000);
        failures.ShouldBeEmpty(string.Join('\n', failures.Take(20)));
        UnicodeNfkc.UnicodeVersion.ShouldBe(document.RootElement.GetProperty("unicode").GetString());
    }

    [Theory]
    [InlineData("\uff46\uff55\uff4c\uff4c", "full")]
    [InlineData("caf\u0065\u0301", "caf\u00e9")]
    [InlineData("\ufb01", "fi")]
    [InlineData("x\u00b2", "x2")]
    [InlineData("\u1100\u1161\u11a8", "\uac01")]
    [InlineData("plain ascii", "plain ascii")]
    public void Normalizes_common_cases(string input, string expected) => UnicodeNfkc.Normalize(input).ShouldBe(expected);

    private static string Hex(string s) => string.Join(' ', s.EnumerateRunes().Select(r => r.Value.ToString("X4", System.Globalization.CultureInfo.InvariantCulture)));
}
