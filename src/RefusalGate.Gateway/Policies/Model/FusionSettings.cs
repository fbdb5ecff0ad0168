namespace RefusalGate.Gateway.Policies.Model;

/// <summary>
/// The logistic combination of the classifier's and the model's own refusal probability:
/// <c>logit(p) = Bias + ClassifierWeight·logit(p_classifier) + SelfWeight·logit(p_self)</c>. The defaults treat both as
/// independent evidence of equal weight; with <see cref="Fit"/> the weights are refitted per model from logged outcomes
/// once <see cref="MinSamples"/> scored cases are in.
/// </summary>
public sealed record FusionSettings(double Bias, double ClassifierWeight, double SelfWeight, bool Fit, int MinSamples)
{
    public static readonly FusionSettings Default = new(0, 1, 1, Fit: true, MinSamples: 200);
}
