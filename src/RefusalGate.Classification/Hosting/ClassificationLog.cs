using Microsoft.Extensions.Logging;

namespace RefusalGate.Classification.Hosting;

internal static partial class ClassificationLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Prompt classifier {Name} v{Version} loaded from {HeadPath}: {CategoryCount} categories, decision threshold {Threshold}")]
    public static partial void ClassifierLoaded(ILogger logger, string name, string version, string headPath, int categoryCount, float threshold);
}
