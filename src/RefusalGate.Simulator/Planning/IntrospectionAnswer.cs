using RefusalGate.Simulator.Rules;

namespace RefusalGate.Simulator.Planning;

/// <summary>
/// The simulated model's prediction of whether it would refuse a prompt. <see cref="Truth"/> is kept next to the
/// stated prediction so tests can tell a wrong prediction from a wrong fusion in the gateway.
/// </summary>
/// <param name="Truth">Whether the simulator would refuse the prompt if it were asked it directly.</param>
/// <param name="Verdict">The prediction before confidence and bias: the truth, or its opposite when accuracy says so.</param>
/// <param name="RefusalProbability">The stated probability of refusal after bias, in [0.01, 0.99].</param>
/// <param name="Format">How the answer is worded.</param>
public sealed record IntrospectionAnswer(bool Truth, bool Verdict, double RefusalProbability, IntrospectionFormat Format)
{
    /// <summary>The stated verdict, as it appears in the answer.</summary>
    public bool WouldRefuse => RefusalProbability >= 0.5;

    /// <summary>The stated confidence in <see cref="WouldRefuse"/>, rounded to two decimals as it appears in the answer.</summary>
    public double Confidence => Math.Round(Math.Max(RefusalProbability, 1 - RefusalProbability), 2, MidpointRounding.AwayFromZero);
}
