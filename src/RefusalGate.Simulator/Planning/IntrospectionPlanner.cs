using System.Text.RegularExpressions;
using RefusalGate.Simulator.Rules;

namespace RefusalGate.Simulator.Planning;

/// <summary>
/// Recognises a self-prediction request (a message embedding another prompt and asking whether the model would refuse
/// it) and decides the prediction: the truth, made wrong as often as the configured accuracy says, stated with the
/// configured confidence and bias. The error is drawn from a hash of (prompt, model), not a random generator, so
/// the gateway's cache and its tests see the same prediction for the same prompt every time.
/// </summary>
internal sealed class IntrospectionPlanner
{
    private const double MinProbability = 0.01;
    private const double MaxProbability = 0.99;

    private readonly IntrospectionRules _rules;
    private readonly Regex? _pattern;

    public IntrospectionPlanner(IntrospectionRules rules)
    {
        _rules = rules;
        _pattern = rules.Enabled ? IntrospectionPattern.Compile(rules.Pattern) : null;
    }

    /// <summary>
    /// Finds the embedded prompt. <paramref name="wrapper"/> is the message without it: the part that belongs to the
    /// introspection request itself rather than to the prompt being asked about.
    /// </summary>
    public bool TryExtract(string message, out string prompt, out string wrapper)
    {
        var match = _pattern?.Match(message);
        if (match is not { Success: true })
        {
            prompt = "";
            wrapper = message;
            return false;
        }

        var group = match.Groups[IntrospectionPattern.PromptGroup];
        prompt = group.Value;
        wrapper = message.Remove(group.Index, group.Length);
        return true;
    }

    /// <param name="model">The requested model; a different model may err on different prompts.</param>
    /// <param name="prompt">The embedded prompt without directives.</param>
    /// <param name="truth">Whether the simulator would refuse the prompt if asked it directly.</param>
    /// <param name="ruleOverride">Settings of the refusal rule that matched the prompt, if any.</param>
    /// <param name="directives">The embedded prompt's directives; only the <c>self-*</c> ones are used.</param>
    public IntrospectionAnswer Decide(string model, string prompt, bool truth, IntrospectionOverride? ruleOverride, PromptDirectives directives)
    {
        var accuracy = ruleOverride?.Accuracy ?? _rules.Accuracy;
        var confidence = directives.SelfConfidencePercent / 100.0 ?? ruleOverride?.Confidence ?? _rules.Confidence;
        var bias = ruleOverride?.Bias ?? _rules.Bias;
        var verdict = directives.Self switch
        {
            SelfDirective.Refuse => true,
            SelfDirective.Comply => false,
            _ => StableUnitInterval.Of(prompt, model) < accuracy ? truth : !truth,
        };
        if (directives.Self is SelfDirective.Refuse or SelfDirective.Comply)
        {
            // A forced verdict is for deterministic tests; a bias could push it over to the other side.
            bias = 0;
        }

        var probability = Math.Clamp((verdict ? confidence : 1 - confidence) + bias, MinProbability, MaxProbability);
        var format = directives.Self == SelfDirective.Garbage ? IntrospectionFormat.Garbage : _rules.Format;
        return new IntrospectionAnswer(truth, verdict, probability, format);
    }
}
