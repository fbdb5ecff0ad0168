namespace RefusalGate.Gateway.Observation;

/// <summary>What the upstream answered, reduced to what outcome detection needs.</summary>
/// <param name="Text">The assistant text (streamed deltas joined), possibly only its start when <paramref name="Truncated"/>.</param>
/// <param name="FinishReason">The provider's finish reason (<c>stop</c>, <c>length</c>, <c>tool_calls</c>, <c>content_filter</c>), if seen.</param>
/// <param name="HasToolCalls">The answer calls tools instead of (or besides) writing text.</param>
/// <param name="Completed">The answer ended properly (a finish reason, or <c>[DONE]</c> for streams).</param>
/// <param name="Truncated">Text was lost: a stream had more than is kept, or a JSON body was longer than its copy.</param>
/// <param name="Malformed">Some of the body could not be read as the provider's format (broken JSON or SSE framing).</param>
/// <param name="PromptTokens">Usage reported by the provider, if any.</param>
/// <param name="CompletionTokens">Usage reported by the provider, if any.</param>
/// <param name="HasError">The body, or one of its events, is the provider's error object: the answer failed.</param>
public sealed record CapturedResponse(
    string Text,
    string? FinishReason,
    bool HasToolCalls,
    bool Completed,
    bool Truncated,
    bool Malformed,
    int? PromptTokens,
    int? CompletionTokens,
    bool HasError = false);
