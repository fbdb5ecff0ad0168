namespace RefusalGate.Gateway.Configuration;

/// <summary>A set of model patterns (bit i = pattern i) that one model name matches, all of them and no other, and such a name.</summary>
public sealed record ModelGlobSet(ulong Matches, string Example);

/// <summary>
/// Which model patterns (<see cref="ModelGlob"/> semantics) can match the same model name. Pairs are not enough: which
/// patterns apply together decides what applies, and a third pattern may always come along (<c>*</c>) or never
/// (<c>gpt-*</c> beside <c>claude-*</c>). So this walks the patterns' automata in step, breadth first, over the
/// characters the patterns use plus one standing for every other character, and collects what each name reached matches.
/// </summary>
public static class ModelGlobSets
{
    /// <summary>Any character no pattern names; such characters are interchangeable, so one stands for them all.</summary>
    private const char Other = '\0';

    /// <summary>
    /// Every distinct set of <paramref name="patterns"/> (at most 64) that some model name matches, with the shortest
    /// such name; null when the walk needs more than <paramref name="maxStates"/> states (patterns that combine in
    /// exponentially many ways), so a caller can say so instead of checking part of them.
    /// </summary>
    public static IReadOnlyList<ModelGlobSet>? Reachable(IReadOnlyList<string> patterns, int maxStates)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(patterns.Count, 64);
        var automata = patterns.Select(p => new GlobAutomaton(p)).ToArray();
        // "Other" first: example names then use it where any character would do (x, not the first letter of a pattern).
        var alphabet = patterns.SelectMany(p => p).Where(c => c != '*').Select(char.ToUpperInvariant).Prepend(Other).Distinct().ToArray();
        var shown = ExampleCharacter(alphabet);

        var start = automata.Select(a => a.Start).ToArray();
        var seen = new HashSet<string> { Key(start) };
        var queue = new Queue<(int[] States, string Name)>([(start, "")]);
        var found = new Dictionary<ulong, string>();
        while (queue.TryDequeue(out var current))
        {
            foreach (var c in alphabet)
            {
                var next = new int[automata.Length];
                for (var i = 0; i < automata.Length; i++)
                {
                    next[i] = automata[i].Next(current.States[i], c);
                }

                // Sets are taken after a step, never from the empty name (no model is called ""); a state reached again
                // (like the start of "*", which stays put) still counts, since it is reached by a longer name.
                var name = current.Name + (c == Other ? shown : c);
                found.TryAdd(Matches(automata, next), name);
                if (seen.Add(Key(next)))
                {
                    if (seen.Count > maxStates)
                    {
                        return null;
                    }

                    queue.Enqueue((next, name));
                }
            }
        }

        return [.. found.Select(f => new ModelGlobSet(f.Key, f.Value.ToLowerInvariant()))];
    }

    private static ulong Matches(GlobAutomaton[] automata, int[] states)
    {
        ulong matches = 0;
        for (var i = 0; i < automata.Length; i++)
        {
            matches |= automata[i].Accepts(states[i]) ? 1UL << i : 0;
        }

        return matches;
    }

    /// <summary>State ids stay below <c>maxStates</c>, far below 65,536, so one character per pattern is a unique key.</summary>
    private static string Key(int[] states) => string.Create(states.Length, states, (span, s) =>
    {
        for (var i = 0; i < s.Length; i++)
        {
            span[i] = (char)s[i];
        }
    });

    /// <summary>A readable character for "any other" in example names: one no pattern uses.</summary>
    private static char ExampleCharacter(char[] alphabet) =>
        "XZQJKVW0123456789".Concat(Enumerable.Range('A', 26).Select(i => (char)i)).FirstOrDefault(c => !alphabet.Contains(c), '~');

    /// <summary>One pattern's matcher, made deterministic as it is walked: a state is the set of pattern positions reached.</summary>
    private sealed class GlobAutomaton
    {
        private readonly string _pattern;
        private readonly List<int[]> _states = [];
        private readonly Dictionary<string, int> _ids = [];
        private readonly Dictionary<(int State, char C), int> _next = [];

        public GlobAutomaton(string pattern)
        {
            _pattern = pattern.ToUpperInvariant();
            Start = Id(Closure([0]));
        }

        public int Start { get; }

        public bool Accepts(int state) => _states[state].Contains(_pattern.Length);

        public int Next(int state, char c)
        {
            if (!_next.TryGetValue((state, c), out var next))
            {
                var positions = _states[state]
                    .Where(p => p < _pattern.Length && (_pattern[p] == '*' || _pattern[p] == c))
                    .Select(p => _pattern[p] == '*' ? p : p + 1);
                next = _next[(state, c)] = Id(Closure(positions));
            }

            return next;
        }

        /// <summary>A star may match nothing, so reaching it also reaches what follows it.</summary>
        private int[] Closure(IEnumerable<int> positions)
        {
            var all = new SortedSet<int>();
            foreach (var position in positions)
            {
                var p = position;
                while (all.Add(p) && p < _pattern.Length && _pattern[p] == '*')
                {
                    p++;
                }
            }

            return [.. all];
        }

        private int Id(int[] positions)
        {
            var key = string.Join(',', positions);
            if (!_ids.TryGetValue(key, out var id))
            {
                id = _ids[key] = _states.Count;
                _states.Add(positions);
            }

            return id;
        }
    }
}
