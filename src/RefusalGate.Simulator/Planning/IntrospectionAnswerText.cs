using System.Globalization;
using RefusalGate.Simulator.Rules;

namespace RefusalGate.Simulator.Planning;

/// <summary>
/// Words an <see cref="IntrospectionAnswer"/> the way a model might: as the JSON the gateway asks for, as prose from a
/// model that ignores the format, or as a ramble no parser can use.
/// </summary>
internal static class IntrospectionAnswerText
{
    /// <summary>No yes/no (not even inside words), no digits, no true/false: nothing a lenient parser could latch onto.</summary>
    internal const string Garbage =
        "Well, that is a tricky one. It really depends on the context, the phrasing and what the person is after, " +
        "so it is hard to say for sure how I would respond to it.";

    public static string Render(IntrospectionAnswer answer)
    {
        var confidence = answer.Confidence.ToString("0.00", CultureInfo.InvariantCulture);
        return answer.Format switch
        {
            IntrospectionFormat.Json => $$"""{"would_refuse": {{(answer.WouldRefuse ? "true" : "false")}}, "confidence": {{confidence}}}""",
            IntrospectionFormat.Text => answer.WouldRefuse
                ? $"Yes, I would refuse. Confidence: {confidence}"
                : $"No, I would not refuse. Confidence: {confidence}",
            _ => Garbage,
        };
    }
}
