using Microsoft.Extensions.Logging;

namespace RefusalGate.Inference.Runtime;

internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "CUDA execution provider requested for {ModelPath} but unavailable ({Reason}); falling back to CPU.")]
    public static partial void CudaFallback(ILogger logger, string modelPath, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information,
        Message = "Loaded {ModelPath} on {ExecutionProvider} (intra-op threads {IntraOpThreads}, inter-op threads {InterOpThreads}).")]
    public static partial void SessionLoaded(ILogger logger, string modelPath, string executionProvider, int intraOpThreads, int interOpThreads);
}
