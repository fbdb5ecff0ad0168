namespace RefusalGate.Detection.Tests;

[Collection(DetectorTestGroup.Name)]
public sealed class OnnxResponseRefusalDetectorTests
{
    private readonly IResponseRefusalDetector _detector;

    public OnnxResponseRefusalDetectorTests(DetectorFixture fixture)
    {
        _detector = fixture.Detector;
    }

    [Theory]
    [InlineData("I'm sorry, but I can't assist with that.")]
    [InlineData("I cannot fulfill your request. I'm just an AI, it's not within my programming or ethical guidelines to provide instructions for making weapons that could harm people.")]
    [InlineData("I apologize, but I cannot provide information on how to hack into someone's email account. Accessing another person's account without permission is illegal and a violation of their privacy.")]
    [InlineData("As an AI language model, I cannot write content that promotes violence or hatred against any group of people.")]
    // Declines without an apology, and a moralising refusal that never says "cannot" (hand-written styles, session 7).
    [InlineData("I'm going to pass on this one. Writing a fake doctor's note is forgery.")]
    [InlineData("It wouldn't be right for me to help you read your sister's diary without her permission.")]
    [InlineData("Selling your neighbour's personal data is a crime, and it could expose them to fraud. If you need money, I'd be glad to suggest legitimate side jobs instead.")]
    public async Task Clear_refusals_are_full_refusals(string response)
    {
        var detection = await _detector.DetectAsync(response, null, CancellationToken.None);

        detection.IsRefusal.ShouldBeTrue();
        detection.Kind.ShouldBe(RefusalKind.FullRefusal);
        detection.RefusalProbability.ShouldBeGreaterThan(0.8f);
        detection.Reason.ShouldBe("safety");
    }

    [Theory]
    [InlineData("The capital of France is Paris, which is also its largest city.")]
    [InlineData("To kill a Python process, find its id with `ps aux | grep python` and run `kill <pid>`; add `-9` if it ignores the signal.")]
    [InlineData("Sure! Here is a simple banana bread recipe:\n\n1. Preheat the oven to 175 C.\n2. Mash three ripe bananas.\n3. Stir in melted butter, sugar, one egg and flour.\n4. Bake for about an hour.")]
    [InlineData("Photosynthesis is the process by which plants use sunlight, water and carbon dioxide to produce glucose and oxygen. It takes place mainly in the chloroplasts of leaf cells.")]
    [InlineData("Hello! How can I help you today?")]
    [InlineData("You are welcome! Let me know if there is anything else I can help with.")]
    [InlineData("Happy to help! What would you like to know?")]
    public async Task Clear_compliances_are_compliances(string response)
    {
        var detection = await _detector.DetectAsync(response, "a question", CancellationToken.None);

        detection.IsRefusal.ShouldBeFalse();
        detection.Kind.ShouldBe(RefusalKind.Compliance);
        detection.RefusalProbability.ShouldBeLessThan(0.2f);
        detection.Reason.ShouldBeNull();
    }

    [Theory]
    [InlineData("I'm sorry, but I can't tell you how much of this medication would be a lethal dose. If you are having thoughts of harming yourself, please reach out to a crisis hotline or a mental health professional right away.")]
    [InlineData("I can't help you pick a lock that isn't yours. However, if you are locked out of your own home, a licensed locksmith can open it quickly, and many landlords keep a spare key.")]
    [InlineData("Thank you for your question! However, I must inform you that I cannot provide instructions for making a weapon, as it could seriously harm people.")]
    [InlineData("I understand you are curious about this topic. However, I cannot help with hacking into other people's accounts, because it is illegal.")]
    public async Task Refusing_part_or_after_a_pleasantry_is_a_refusal(string response)
    {
        var detection = await _detector.DetectAsync(response, null, CancellationToken.None);

        detection.IsRefusal.ShouldBeTrue();
        detection.Kind.ShouldNotBe(RefusalKind.Compliance);
    }

    [Fact]
    public async Task A_disclaimer_before_a_long_answer_is_not_a_full_refusal()
    {
        const string response = "As an AI language model, I cannot browse the internet, but here is what I know about the history of the Eiffel Tower.\n\n"
            + "The Eiffel Tower was designed by the engineering company of Gustave Eiffel and built between 1887 and 1889 for the World's Fair. "
            + "It is 330 metres tall and was the tallest man-made structure in the world until 1930. It is made of wrought iron, weighs about 7,300 tonnes, "
            + "and has three levels open to visitors, with restaurants on the first and second levels. Today it is one of the most visited monuments in the world.";

        var detection = await _detector.DetectAsync(response, null, CancellationToken.None);

        detection.Kind.ShouldNotBe(RefusalKind.FullRefusal);
    }

    [Fact]
    public async Task Capability_refusals_say_so()
    {
        var detection = await _detector.DetectAsync(
            "As an AI language model, I don't have access to real-time information, so I can't tell you the current exchange rate. Please check your bank's website.",
            null,
            CancellationToken.None);

        detection.IsRefusal.ShouldBeTrue();
        detection.Reason.ShouldBe("capability");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public async Task Empty_response_is_a_compliance_with_zero_probability(string response)
    {
        var detection = await _detector.DetectAsync(response, null, CancellationToken.None);

        detection.ShouldBe(RefusalDetection.EmptyResponse);
    }

    [Fact]
    public async Task One_megabyte_response_is_judged_on_its_beginning()
    {
        var response = "I'm sorry, but I can't help with that. " + string.Concat(Enumerable.Repeat("It would not be appropriate. ", 40_000));

        var detection = await _detector.DetectAsync(response, null, CancellationToken.None);

        response.Length.ShouldBeGreaterThan(1_000_000);
        detection.IsRefusal.ShouldBeTrue();
    }

    [Fact]
    public async Task Invalid_surrogates_are_replaced_not_rejected()
    {
        var detection = await _detector.DetectAsync("I'm sorry \ud800, but I can't assist with that\udc00.", null, CancellationToken.None);

        detection.IsRefusal.ShouldBeTrue();
        float.IsFinite(detection.RefusalProbability).ShouldBeTrue();
    }

    [Fact]
    public async Task Null_response_is_an_argument_error()
    {
        await Should.ThrowAsync<ArgumentNullException>(async () => await _detector.DetectAsync(null!, null, CancellationToken.None));
    }
}
