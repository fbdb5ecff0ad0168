namespace RefusalGate.Inference.Runtime;

/// <summary>A model file the gateway needs is absent; the message names the file and how to build it.</summary>
public sealed class ModelFileNotFoundException : FileNotFoundException
{
    public ModelFileNotFoundException()
    {
    }

    public ModelFileNotFoundException(string message)
        : base(message)
    {
    }

    public ModelFileNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ModelFileNotFoundException(string path, string buildHint)
        : base($"Model file '{Path.GetFullPath(path)}' does not exist. {buildHint}", path)
    {
    }

    /// <summary>Throws when <paramref name="path"/> does not exist.</summary>
    public static void ThrowIfMissing(string path, string buildHint)
    {
        if (!File.Exists(path))
        {
            throw new ModelFileNotFoundException(path, buildHint);
        }
    }
}
