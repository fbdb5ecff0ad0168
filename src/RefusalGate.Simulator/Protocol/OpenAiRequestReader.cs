using System.Text;
using System.Text.Json;
using RefusalGate.Simulator.Planning;

namespace RefusalGate.Simulator.Protocol;

/// <summary>Reads the fields the simulator needs from an OpenAI chat or text completion request.</summary>
internal static class OpenAiRequestReader
{
    public static bool TryRead(JsonElement root, bool isChat, out SimulatedRequest request, out RequestError error)
    {
        request = null!;
        if (!TryReadModel(root, out var model, out error))
        {
            return false;
        }

        string prompt;
        var promptChars = 0;
        if (isChat)
        {
            if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            {
                error = new RequestError("'messages' is required.");
                return false;
            }

            prompt = "";
            foreach (var message in messages.EnumerateArray())
            {
                var content = ContentText(message);
                promptChars += content.Length;
                if (message.TryGetProperty("role", out var role) && role.ValueEquals("user"u8))
                {
                    prompt = content;
                }
            }
        }
        else
        {
            if (!root.TryGetProperty("prompt", out var promptElement) || promptElement.ValueKind != JsonValueKind.String)
            {
                error = new RequestError("'prompt' is required.");
                return false;
            }

            prompt = promptElement.GetString()!;
            promptChars = prompt.Length;
        }

        var stream = root.TryGetProperty("stream", out var streamElement) && streamElement.ValueKind == JsonValueKind.True;
        var includeUsage = root.TryGetProperty("stream_options", out var options)
            && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage", out var usage)
            && usage.ValueKind == JsonValueKind.True;

        if (!ChoiceCount.TryRead(root, out var choices, out var choicesError))
        {
            error = choicesError!;
            return false;
        }

        request = new SimulatedRequest(model, prompt, stream, includeUsage, Math.Max(1, promptChars / 4), choices);
        error = null!;
        return true;
    }

    /// <summary>
    /// A Responses API request: <c>input</c> is a string (the user's message) or an array of items whose messages
    /// (<c>role</c> and <c>content</c>) are read as chat messages; <c>instructions</c> count toward the prompt's size.
    /// The API has no <c>n</c>: one answer.
    /// </summary>
    public static bool TryReadResponses(JsonElement root, out SimulatedRequest request, out RequestError error)
    {
        request = null!;
        if (!TryReadModel(root, out var model, out error))
        {
            return false;
        }

        var prompt = "";
        var promptChars = root.TryGetProperty("instructions", out var instructions) && instructions.ValueKind == JsonValueKind.String
            ? instructions.GetString()!.Length
            : 0;
        if (root.TryGetProperty("input", out var input) && input.ValueKind == JsonValueKind.String)
        {
            prompt = input.GetString()!;
            promptChars += prompt.Length;
        }
        else if (input.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in input.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("role", out var role))
                {
                    continue; // function calls, their outputs, reasoning: no text
                }

                var content = ContentText(item);
                promptChars += content.Length;
                if (role.ValueEquals("user"u8))
                {
                    prompt = content;
                }
            }
        }
        else
        {
            error = new RequestError("'input' must be a string or an array of input items.", "input");
            return false;
        }

        var stream = root.TryGetProperty("stream", out var streamElement) && streamElement.ValueKind == JsonValueKind.True;
        request = new SimulatedRequest(model, prompt, stream, IncludeUsage: false, Math.Max(1, promptChars / 4));
        error = null!;
        return true;
    }

    /// <summary>Both APIs: the body is an object with a string <c>model</c>.</summary>
    private static bool TryReadModel(JsonElement root, out string model, out RequestError error)
    {
        model = "";
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = new RequestError("The request body must be a JSON object.");
            return false;
        }

        if (!root.TryGetProperty("model", out var modelElement) || modelElement.ValueKind != JsonValueKind.String)
        {
            error = new RequestError("'model' is required.");
            return false;
        }

        model = modelElement.GetString()!;
        error = null!;
        return true;
    }

    /// <summary>Message content is either a string or an array of parts; only text parts count.</summary>
    private static string ContentText(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return "";
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var partText) && partText.ValueKind == JsonValueKind.String)
            {
                text.Append(partText.GetString());
            }
        }

        return text.ToString();
    }
}
