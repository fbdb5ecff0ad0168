namespace RefusalGate.Simulator.Rules;

/// <summary>
/// How the simulated upstream behaves: which prompts it refuses (per category), how it complies otherwise,
/// how slow it is and which failures it injects. Loaded from YAML (<see cref="SimulatorRulesLoader"/>).
/// </summary>
public sealed class SimulatorRules
{
    /// <summary>Models listed by <c>GET /v1/models</c>. Any model name is accepted in requests.</summary>
    public List<string> Models { get; set; } = ["demo-model", "demo-strict-model"];

    /// <summary>Refusal rules, checked in order; the first whose pattern matches the last user message wins.</summary>
    public List<RefusalRule> Refusals { get; set; } = [];

    /// <summary>Template of a compliant answer; <c>{topic}</c> is replaced by the start of the prompt.</summary>
    public string Compliance { get; set; } =
        "Sure. Here is a short overview of {topic}. First, it helps to understand the basic ideas and the terms people use. " +
        "Second, look at a concrete example and work through it step by step. Finally, check the result against a trusted reference.";

    public LatencyRules Latency { get; set; } = new();

    /// <summary>Failures injected for prompts that match a pattern (reliability tests).</summary>
    public List<FaultRule> Faults { get; set; } = [];

    /// <summary>
    /// When true, in-prompt directives such as <c>[sim:status=503]</c> or <c>[sim:delay=2000]</c> control the answer.
    /// They make reliability tests deterministic; turn them off when replaying untrusted traffic.
    /// </summary>
    public bool Directives { get; set; } = true;

    /// <summary>How self-prediction requests ("would you refuse this?") are recognised and answered.</summary>
    public IntrospectionRules Introspection { get; set; } = new();
}

public sealed class RefusalRule
{
    public string Category { get; set; } = "unspecified";

    /// <summary>Case-insensitive regular expressions matched against the last user message.</summary>
    public List<string> Patterns { get; set; } = [];

    /// <summary>The refusal text returned when the rule matches.</summary>
    public string Response { get; set; } = "I'm sorry, but I can't help with that request.";

    /// <summary>Self-prediction settings for prompts this rule matches; null keeps the top-level ones.</summary>
    public IntrospectionOverride? Introspection { get; set; }
}

public sealed class LatencyRules
{
    /// <summary>Fixed delay before the first byte, in milliseconds.</summary>
    public int FixedMs { get; set; }

    /// <summary>Uniform random extra delay before the first byte, in milliseconds.</summary>
    public int JitterMs { get; set; }

    /// <summary>Delay between streamed chunks, in milliseconds.</summary>
    public int ChunkDelayMs { get; set; }

    /// <summary>Words per streamed chunk.</summary>
    public int WordsPerChunk { get; set; } = 3;
}

public enum FaultKind
{
    /// <summary>Answer with an OpenAI-style error and the given status code.</summary>
    Status,

    /// <summary>Abort the connection before any response byte.</summary>
    Reset,

    /// <summary>Hold the request for <see cref="FaultRule.DelayMs"/> before answering normally.</summary>
    Delay,

    /// <summary>Stream normally but abort the connection halfway through the answer.</summary>
    CutStream,

    /// <summary>Stream with <see cref="FaultRule.DelayMs"/> between chunks.</summary>
    SlowStream,
}

public sealed class FaultRule
{
    /// <summary>Case-insensitive regular expression matched against the last user message.</summary>
    public string Pattern { get; set; } = "";

    public FaultKind Kind { get; set; } = FaultKind.Status;

    public int Status { get; set; } = 500;

    public int DelayMs { get; set; } = 1000;

    /// <summary>Probability in [0, 1] that a matching request gets the fault.</summary>
    public double Probability { get; set; } = 1.0;
}
