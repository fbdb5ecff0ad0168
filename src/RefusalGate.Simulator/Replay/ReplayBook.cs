using System.Text.Json;

namespace RefusalGate.Simulator.Replay;

/// <summary>
/// Recorded (model, prompt) → response pairs from a JSONL file, so that the recorded behaviour of a real model
/// can be replayed through the gateway. A request matches when its model is equal and its last user message equals
/// the recorded prompt after trimming surrounding whitespace.
/// </summary>
public sealed class ReplayBook
{
    private readonly Dictionary<(string Model, string Prompt), string> _responses;

    private ReplayBook(Dictionary<(string Model, string Prompt), string> responses)
    {
        _responses = responses;
    }

    public int Count => _responses.Count;

    public bool TryFind(string model, string prompt, out string response) =>
        _responses.TryGetValue((model, prompt.Trim()), out response!);

    /// <summary>Loads a replay file; every line must be <c>{"model", "prompt", "response"}</c>. Later duplicates win.</summary>
    public static ReplayBook Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ReplayFileException($"Replay file '{path}' does not exist.");
        }

        var responses = new Dictionary<(string, string), string>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var (model, prompt, response) = ParseLine(line, path, lineNumber);
            responses[(model, prompt.Trim())] = response;
        }

        return new ReplayBook(responses);
    }

    private static (string Model, string Prompt, string Response) ParseLine(string line, string path, int lineNumber)
    {
        try
        {
            var entry = JsonSerializer.Deserialize(line, ReplayJsonContext.Default.ReplayEntry);
            if (entry is null || entry.Model is null || entry.Prompt is null || entry.Response is null)
            {
                throw new ReplayFileException($"{path}:{lineNumber}: each line needs string fields \"model\", \"prompt\" and \"response\".");
            }

            return (entry.Model, entry.Prompt, entry.Response);
        }
        catch (JsonException ex)
        {
            throw new ReplayFileException($"{path}:{lineNumber}: not valid JSON ({ex.Message}).", ex);
        }
    }
}

public sealed class ReplayFileException : Exception
{
    public ReplayFileException(string message)
        : base(message)
    {
    }

    public ReplayFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
