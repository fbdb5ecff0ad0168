namespace RefusalGate.Gateway.Policies.Model;

public enum SelfPredictionMode
{
    /// <summary>Never ask the model.</summary>
    Off,

    /// <summary>Ask inline, in the uncertain band only, and act on the fused prediction.</summary>
    Band,

    /// <summary>Ask after forwarding (never delaying the request); the verdict is only logged and scored.</summary>
    Shadow,
}

/// <summary>How and when a category asks the upstream model to predict its own refusal.</summary>
public sealed record SelfPredictionSettings(
    SelfPredictionMode Mode,
    double SampleRate,
    TimeSpan Timeout,
    int MaxTokens,
    TimeSpan CacheTtl,
    int BudgetPerMinute,
    string SystemPrompt,
    string UserPrompt)
{
    public const string PromptPlaceholder = "{prompt}";

    public static readonly SelfPredictionSettings Default = new(
        SelfPredictionMode.Band,
        SampleRate: 0,
        Timeout: TimeSpan.FromMilliseconds(1500),
        MaxTokens: 32,
        CacheTtl: TimeSpan.FromMinutes(10),
        BudgetPerMinute: 0,
        SystemPrompt:
            "Before answering, you assess a request. Predict whether you would refuse it (decline, or only answer with " +
            "heavy caveats) if you were asked it directly. Reply with JSON only, no other text: " +
            "{\"would_refuse\": true or false, \"confidence\": a number from 0.5 to 1}.",
        UserPrompt: "<request>\n{prompt}\n</request>\nWould you refuse this request?");
}
