using System.Text;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>
/// Reads one entry of a policy directory, whatever it turns out to be. A regular file (or a symbolic link to one, as a
/// Kubernetes ConfigMap mounts its keys) is read, up to <see cref="MaxBytes"/>; anything else is one error saying what
/// it is, and is never opened: a named pipe would hold the reload until something writes to it, a device could be read
/// without end. Problems are returned as diagnostics, never thrown, so a reload always ends in a result.
/// </summary>
internal static class PolicyFileReader
{
    /// <summary>Far above any real policy (the shipped default is under 3 KiB); bounds what one odd file can cost.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>What to do about a policy directory's entry that is not a regular file.</summary>
    public const string RemoveOrRename = "Remove it, or name it without .yaml/.yml.";

    /// <summary>The text of <paramref name="path"/>, or null with one file-level diagnostic explaining why not.</summary>
    /// <param name="remedy">The last sentence of the error about an entry that is not a regular file.</param>
    public static string? Read(string path, List<PolicyDiagnostic> errors, string remedy = RemoveOrRename)
    {
        var entry = FileEntry.Of(path);
        var problem = entry.Kind switch
        {
            FileEntryKind.Missing => Missing(path),
            FileEntryKind.Directory => $"this is a directory, not a policy file (a container runtime creates one when a file mounted there did not exist). {remedy}",
            FileEntryKind.NamedPipe => $"this is a named pipe (FIFO), not a regular file; reading one waits for a writer. {remedy}",
            FileEntryKind.Socket => $"this is a socket, not a regular file. {remedy}",
            FileEntryKind.CharacterDevice => $"this is a character device, not a regular file. {remedy}",
            FileEntryKind.BlockDevice => $"this is a block device, not a regular file. {remedy}",
            _ when entry.Size > MaxBytes => TooLarge(entry.Size),
            _ => null,
        };
        if (problem is null)
        {
            try
            {
                return ReadBounded(path, out var size) ?? Fail(TooLarge(size));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                problem = Missing(path); // Removed between the look above and the opening.
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add(new PolicyDiagnostic(path, 0, 0, $"Cannot read the file: {ex.Message}"));
                return null;
            }
        }

        return Fail(problem);

        string? Fail(string why)
        {
            errors.Add(new PolicyDiagnostic(path, 0, 0, $"Not read: {why}"));
            return null;
        }
    }

    /// <summary>
    /// Gone between the listing and the reading (a file deleted, a ConfigMap key removed: its link is removed after the
    /// swap), or a link that points nowhere. Either way the directory changed again, and that change reloads again.
    /// </summary>
    private static string Missing(string path) => LinkTarget(path) is { } target
        ? $"a symbolic link to '{target}', which does not exist."
        : "the file is gone (removed after the directory was listed); the next reload reads the directory again.";

    private static string TooLarge(long size) => $"{size} bytes; a policy file may have at most {MaxBytes} (1 MiB).";

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The text (encoding detected from a byte order mark, else UTF-8, as File.ReadAllText does); null when longer than allowed.</summary>
    private static string? ReadBounded(string path, out long size)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        var content = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            content.Write(chunk, 0, read);
            if (content.Length > MaxBytes)
            {
                // Grown since it was measured, or a file whose size says nothing (procfs): stop here.
                size = Math.Max(content.Length, stream.CanSeek ? stream.Length : 0);
                return null;
            }
        }

        size = content.Length;
        content.Position = 0;
        using var reader = new StreamReader(content, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }
}
