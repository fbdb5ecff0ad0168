namespace RefusalGate.Classification.Manifest;

/// <summary>The classifier manifest or its head file is missing, unreadable or inconsistent; the message names the file and the fix.</summary>
public sealed class ClassifierManifestException : Exception
{
    public ClassifierManifestException()
    {
    }

    public ClassifierManifestException(string message)
        : base(message)
    {
    }

    public ClassifierManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
