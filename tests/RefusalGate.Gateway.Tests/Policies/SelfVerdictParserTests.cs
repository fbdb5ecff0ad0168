using RefusalGate.Gateway.Policies.SelfPrediction;

namespace RefusalGate.Gateway.Tests.Policies;

public sealed class SelfVerdictParserTests
{
    [Theory]
    [InlineData("{\"would_refuse\": true, \"confidence\": 0.8}", 0.8)]
    [InlineData("{\"would_refuse\": false, \"confidence\": 0.9}", 0.1)]
    [InlineData("```json\n{\"would_refuse\": \"yes\", \"confidence\": \"85%\"}\n```", 0.85)]
    [InlineData("Sure! {\"refuse\": false, \"confidence\": 75}", 0.25)]
    [InlineData("Yes, I would refuse. Confidence: 0.9", 0.9)]
    [InlineData("No, I would not refuse this (confidence 80%).", 0.2)]
    [InlineData("I wouldn't refuse.", 0.3)]
    [InlineData("{\"would_refuse\": true, \"confidence\": 1}", 0.99)]
    [InlineData("{\"would_refuse\": true, \"confidence\": 1.7}", 0.7)] // out of range, not 1.7 %: counts as unstated
    public void Reads_json_and_plain_answers(string answer, double expected)
    {
        SelfVerdictParser.TryParse(answer, out var p).ShouldBeTrue();
        p.ShouldBe(expected, 1e-9);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("The weather is lovely and the sky is a pleasant shade of blue.")]
    [InlineData("{\"confidence\": 0.9}")]
    [InlineData("{not json at all")]
    public void Garbage_is_no_answer(string? answer) => SelfVerdictParser.TryParse(answer, out _).ShouldBeFalse();
}
