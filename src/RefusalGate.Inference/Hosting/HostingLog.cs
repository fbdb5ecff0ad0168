using Microsoft.Extensions.Logging;

namespace RefusalGate.Inference.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
        Message = "Encoder warmed up on {ExecutionProvider}: buckets {Buckets} in {ElapsedMilliseconds} ms.")]
    public static partial void WarmedUp(ILogger logger, string executionProvider, string buckets, long elapsedMilliseconds);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Encoder warm-up failed; the gateway stays not ready.")]
    public static partial void WarmUpFailed(ILogger logger, Exception exception);
}
