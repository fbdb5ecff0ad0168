namespace RefusalGate.Simulator.Protocol;

/// <summary>Why a request cannot be answered, in the fields of OpenAI's error object (<c>param</c> and <c>code</c> may be null).</summary>
internal sealed record RequestError(string Message, string? Param = null, string? Code = null);
