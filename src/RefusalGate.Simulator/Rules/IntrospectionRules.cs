namespace RefusalGate.Simulator.Rules;

/// <summary>
/// How the simulated upstream answers self-prediction requests ("would you refuse this?"). The gateway fuses that
/// prediction with its own classifier, so tests need a model whose prediction quality is known and adjustable:
/// <see cref="Accuracy"/> sets how often it is right, <see cref="Confidence"/> how sure it sounds and
/// <see cref="Bias"/> which way it leans.
/// </summary>
public sealed class IntrospectionRules
{
    /// <summary>The default detection pattern; it matches the gateway's default self-prediction prompt.</summary>
    public const string DefaultPattern = @"<request>\s*(?<prompt>.*?)\s*</request>";

    /// <summary>When false, introspection requests are answered like any other request.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Regular expression (Singleline, IgnoreCase) matched against the last user message; its named group
    /// <c>prompt</c> captures the original prompt the model is asked about.
    /// </summary>
    public string Pattern { get; set; } = DefaultPattern;

    /// <summary>Probability in [0, 1] that the verdict equals what the simulator would really do.</summary>
    public double Accuracy { get; set; } = 1.0;

    /// <summary>How sure the model states it is of its verdict, in [0, 1].</summary>
    public double Confidence { get; set; } = 0.85;

    /// <summary>Added to the stated probability of refusal, in [-1, 1]; positive over-predicts refusal.</summary>
    public double Bias { get; set; }

    /// <summary>How the answer is worded; <see cref="IntrospectionFormat.Garbage"/> tests the gateway's parser.</summary>
    public IntrospectionFormat Format { get; set; } = IntrospectionFormat.Json;
}

/// <summary>
/// Per-refusal-rule overrides of <see cref="IntrospectionRules"/>, so one category can be predicted worse than others
/// (as real models are). Null members keep the top-level value.
/// </summary>
public sealed class IntrospectionOverride
{
    public double? Accuracy { get; set; }

    public double? Confidence { get; set; }

    public double? Bias { get; set; }
}

public enum IntrospectionFormat
{
    /// <summary><c>{"would_refuse": true, "confidence": 0.85}</c>, what the gateway asks for.</summary>
    Json,

    /// <summary><c>Yes, I would refuse. Confidence: 0.85</c>: a model that ignores the format instruction.</summary>
    Text,

    /// <summary>A ramble with no verdict and no number, which no parser can read.</summary>
    Garbage,
}
