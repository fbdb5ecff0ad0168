using System.Text.RegularExpressions;
using RefusalGate.Simulator.Replay;
using RefusalGate.Simulator.Rules;

namespace RefusalGate.Simulator.Planning;

/// <summary>
/// Decides the simulated answer: a replayed response when a replay book matches, else the first matching refusal
/// rule, else a compliance. Faults come from in-prompt directives (when enabled) or from fault rules. A self-prediction
/// request gets a prediction about the prompt it embeds instead (see <see cref="IntrospectionPlanner"/>).
/// </summary>
public sealed class ResponsePlanner
{
    private readonly SimulatorRules _rules;
    private readonly ReplayBook? _replay;
    private readonly string? _replayDefault;
    private readonly (RefusalRule Rule, Regex[] Patterns)[] _refusals;
    private readonly (FaultRule Rule, Regex Pattern)[] _faults;
    private readonly IntrospectionPlanner _introspection;

    public ResponsePlanner(SimulatorRules rules, ReplayBook? replay = null, string? replayDefault = null)
    {
        _rules = rules;
        _replay = replay;
        _replayDefault = replayDefault;
        _refusals = rules.Refusals
            .Select(r => (r, r.Patterns.Select(p => new Regex(p, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50))).ToArray()))
            .ToArray();
        _faults = rules.Faults
            .Select(f => (f, new Regex(f.Pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50))))
            .ToArray();
        _introspection = new IntrospectionPlanner(rules.Introspection);
    }

    public ResponsePlan Plan(SimulatedRequest request)
    {
        var message = request.LastUserMessage;
        if (_introspection.TryExtract(message, out var embeddedPrompt, out var wrapper))
        {
            return PlanIntrospection(request.Model, embeddedPrompt, wrapper);
        }

        var initialDelay = BaseDelay();
        var chunkDelay = _rules.Latency.ChunkDelayMs;
        var fault = PlanFault(message, ref initialDelay, ref chunkDelay);

        var choice = ChooseText(request.Model, message);
        return new ResponsePlan(choice.Text, choice.Source == ResponseSource.RefusalRule, choice.Rule?.Category, choice.Source, initialDelay, chunkDelay, fault);
    }

    /// <summary>
    /// Answers "would you refuse this prompt?". The truth is what <see cref="ChooseText"/> would do with the prompt.
    /// Faults come only from the message around the prompt: a prompt that fails its real call (<c>[sim:status=503]</c>,
    /// a fault rule) can still be predicted, which is the order of calls the gateway makes.
    /// </summary>
    private ResponsePlan PlanIntrospection(string model, string prompt, string wrapper)
    {
        var initialDelay = BaseDelay();
        var chunkDelay = _rules.Latency.ChunkDelayMs;
        var fault = PlanFault(wrapper, ref initialDelay, ref chunkDelay);

        var directives = ParseDirectives(prompt);
        var choice = ChooseText(model, prompt);
        var answer = _introspection.Decide(
            model,
            _rules.Directives ? PromptDirectives.Strip(prompt) : prompt,
            truth: choice.Source == ResponseSource.RefusalRule,
            choice.Rule?.Introspection,
            directives);
        initialDelay += directives.SelfDelayMs;
        return new ResponsePlan(IntrospectionAnswerText.Render(answer), false, null, ResponseSource.Introspection, initialDelay, chunkDelay, fault, answer);
    }

    private int BaseDelay() =>
        _rules.Latency.FixedMs + (_rules.Latency.JitterMs > 0 ? Random.Shared.Next(_rules.Latency.JitterMs + 1) : 0);

    private PromptDirectives ParseDirectives(string text) => _rules.Directives ? PromptDirectives.Parse(text) : PromptDirectives.None;

    private TextChoice ChooseText(string model, string prompt)
    {
        if (_replay is not null)
        {
            if (_replay.TryFind(model, prompt, out var recorded))
            {
                return new TextChoice(recorded, ResponseSource.Replay, null);
            }

            if (_replayDefault is not null)
            {
                return new TextChoice(_replayDefault, ResponseSource.Replay, null);
            }
        }

        var cleanPrompt = _rules.Directives ? PromptDirectives.Strip(prompt) : prompt;
        foreach (var (rule, patterns) in _refusals)
        {
            if (patterns.Any(p => Matches(p, cleanPrompt)))
            {
                return new TextChoice(rule.Response, ResponseSource.RefusalRule, rule);
            }
        }

        return new TextChoice(_rules.Compliance.Replace("{topic}", Topic(cleanPrompt), StringComparison.Ordinal), ResponseSource.Compliance, null);
    }

    private PlannedFault? PlanFault(string text, ref int initialDelay, ref int chunkDelay)
    {
        var directives = ParseDirectives(text);
        initialDelay += directives.DelayMs;
        chunkDelay = directives.ChunkDelayMs ?? chunkDelay;
        var fault = directives.Fault;

        foreach (var (rule, pattern) in _faults)
        {
            if (fault is null && Matches(pattern, text) && Random.Shared.NextDouble() < rule.Probability)
            {
                fault = new PlannedFault(rule.Kind, rule.Status, rule.DelayMs);
            }
        }

        switch (fault?.Kind)
        {
            case FaultKind.Delay:
                initialDelay += fault.DelayMs;
                break;
            case FaultKind.SlowStream:
                chunkDelay = fault.DelayMs;
                break;
        }

        return fault;
    }

    /// <summary>
    /// A rule pattern (<c>.*</c> between two words) can take longer than its time-out on a prompt of a megabyte; such a
    /// prompt counts as not matching, so the demo upstream answers it instead of failing with a 500.
    /// </summary>
    private static bool Matches(Regex pattern, string text)
    {
        try
        {
            return pattern.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>The first few words of the prompt, to make a compliance read like an answer to it.</summary>
    private static string Topic(string prompt)
    {
        var words = prompt.Split((char[]?)null, 9, StringSplitOptions.RemoveEmptyEntries);
        var topic = string.Join(' ', words.Take(8)).TrimEnd('?', '.', '!');
        return topic.Length == 0 ? "your question" : $"\"{topic}\"";
    }

    /// <summary>The chosen text and where it came from; <see cref="Rule"/> is the refusal rule that matched, if any.</summary>
    private readonly record struct TextChoice(string Text, ResponseSource Source, RefusalRule? Rule);
}
