using System.Text.Json;

namespace RefusalGate.Cli.Tests.Deployment;

/// <summary>One Dockerfile instruction, continuation lines joined: its keyword, its <c>--options</c> and its arguments.</summary>
internal sealed record DockerInstruction(string Keyword, IReadOnlyList<string> Options, IReadOnlyList<string> Arguments, string Text);

/// <summary>A Dockerfile read instruction by instruction (no Docker engine here to build it).</summary>
internal sealed class Dockerfile
{
    public Dockerfile(string path)
    {
        var instructions = new List<DockerInstruction>();
        var pending = "";
        foreach (var line in File.ReadLines(path))
        {
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            pending += line.TrimEnd();
            if (pending.EndsWith('\\'))
            {
                pending = pending[..^1] + " ";
                continue;
            }

            if (pending.Trim() is { Length: > 0 } text)
            {
                var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                instructions.Add(new DockerInstruction(
                    words[0].ToUpperInvariant(),
                    [.. words.Skip(1).TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal))],
                    [.. words.Skip(1).SkipWhile(w => w.StartsWith("--", StringComparison.Ordinal))],
                    text[words[0].Length..].Trim()));
            }

            pending = "";
        }

        Instructions = instructions;
    }

    public IReadOnlyList<DockerInstruction> Instructions { get; }

    /// <summary>Instructions of the last stage (the image that is shipped).</summary>
    public IReadOnlyList<DockerInstruction> FinalStage =>
        [.. Instructions.Skip(Instructions.Select((i, index) => (i, index)).Last(p => p.i.Keyword == "FROM").index)];

    /// <summary><c>ENV</c> settings of the final stage (the <c>KEY=VALUE</c> form).</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        FinalStage.Where(i => i.Keyword == "ENV")
            .SelectMany(i => i.Arguments)
            .Select(a => a.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);

    /// <summary>The exec form of the final <c>ENTRYPOINT</c>.</summary>
    public IReadOnlyList<string> Entrypoint =>
        JsonSerializer.Deserialize<string[]>(FinalStage.Last(i => i.Keyword == "ENTRYPOINT").Text)!;

    /// <summary>Sources of every <c>COPY</c> from the build context (not <c>--from</c> another stage), relative to it.</summary>
    public IReadOnlyList<string> ContextCopySources =>
        [.. Instructions.Where(i => i.Keyword == "COPY" && !i.Options.Any(o => o.StartsWith("--from=", StringComparison.Ordinal)))
            .SelectMany(i => i.Arguments.Take(i.Arguments.Count - 1))];

    /// <summary>Destinations of every <c>COPY</c>, without a trailing slash.</summary>
    public IReadOnlyList<string> CopyDestinations =>
        [.. Instructions.Where(i => i.Keyword == "COPY").Select(i => i.Arguments[^1].TrimEnd('/'))];
}
