using System.Globalization;
using System.Text.RegularExpressions;
using RefusalGate.Simulator.Replay;
using RefusalGate.Simulator.Rules;

namespace RefusalGate.Simulator.Planning;

/// <summary>
/// Decides the simulated answer: a replayed response when a replay book matches, else the first matching refusal
/// rule, else a compliance. Faults come from in-prompt directives (when enabled) or from fault rules.
/// </summary>
public sealed partial class ResponsePlanner
{
    private readonly SimulatorRules _rules;
    private readonly ReplayBook? _replay;
    private readonly string? _replayDefault;
    private readonly (RefusalRule Rule, Regex[] Patterns)[] _refusals;
    private readonly (FaultRule Rule, Regex Pattern)[] _faults;

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
    }

    public ResponsePlan Plan(SimulatedRequest request)
    {
        var prompt = request.LastUserMessage;
        var initialDelay = _rules.Latency.FixedMs + (_rules.Latency.JitterMs > 0 ? Random.Shared.Next(_rules.Latency.JitterMs + 1) : 0);
        var chunkDelay = _rules.Latency.ChunkDelayMs;
        var fault = PlanFault(prompt, ref initialDelay, ref chunkDelay);

        var (text, isRefusal, category, source) = ChooseText(request.Model, prompt);
        return new ResponsePlan(text, isRefusal, category, source, initialDelay, chunkDelay, fault);
    }

    private (string Text, bool IsRefusal, string? Category, ResponseSource Source) ChooseText(string model, string prompt)
    {
        if (_replay is not null)
        {
            if (_replay.TryFind(model, prompt, out var recorded))
            {
                return (recorded, false, null, ResponseSource.Replay);
            }

            if (_replayDefault is not null)
            {
                return (_replayDefault, false, null, ResponseSource.Replay);
            }
        }

        var cleanPrompt = _rules.Directives ? DirectivePattern().Replace(prompt, "").Trim() : prompt;
        foreach (var (rule, patterns) in _refusals)
        {
            if (patterns.Any(p => p.IsMatch(cleanPrompt)))
            {
                return (rule.Response, true, rule.Category, ResponseSource.RefusalRule);
            }
        }

        return (_rules.Compliance.Replace("{topic}", Topic(cleanPrompt), StringComparison.Ordinal), false, null, ResponseSource.Compliance);
    }

    private PlannedFault? PlanFault(string prompt, ref int initialDelay, ref int chunkDelay)
    {
        PlannedFault? fault = null;
        if (_rules.Directives)
        {
            foreach (Match match in DirectivePattern().Matches(prompt))
            {
                var name = match.Groups["name"].Value;
                var hasValue = int.TryParse(match.Groups["value"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value);
                switch (name)
                {
                    case "status" when hasValue:
                        fault = new PlannedFault(FaultKind.Status, value, 0);
                        break;
                    case "delay" when hasValue:
                        initialDelay += value;
                        break;
                    case "chunk-delay" when hasValue:
                        chunkDelay = value;
                        break;
                    case "reset":
                        fault = new PlannedFault(FaultKind.Reset, 0, 0);
                        break;
                    case "cut-stream":
                        fault = new PlannedFault(FaultKind.CutStream, 0, 0);
                        break;
                }
            }
        }

        foreach (var (rule, pattern) in _faults)
        {
            if (fault is null && pattern.IsMatch(prompt) && Random.Shared.NextDouble() < rule.Probability)
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

    /// <summary>The first few words of the prompt, to make a compliance read like an answer to it.</summary>
    private static string Topic(string prompt)
    {
        var words = prompt.Split((char[]?)null, 9, StringSplitOptions.RemoveEmptyEntries);
        var topic = string.Join(' ', words.Take(8)).TrimEnd('?', '.', '!');
        return topic.Length == 0 ? "your question" : $"\"{topic}\"";
    }

    [GeneratedRegex(@"\[sim:(?<name>[a-z-]+)(?:=(?<value>\d+))?\]", RegexOptions.CultureInvariant)]
    private static partial Regex DirectivePattern();
}
