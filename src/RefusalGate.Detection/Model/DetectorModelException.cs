namespace RefusalGate.Detection.Model;

/// <summary>The detector's model files are missing, altered or unreadable; the message names the file and the fix.</summary>
public sealed class DetectorModelException : Exception
{
    public DetectorModelException()
    {
    }

    public DetectorModelException(string message)
        : base(message)
    {
    }

    public DetectorModelException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
