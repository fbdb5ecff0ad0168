using System.Runtime.InteropServices;

namespace RefusalGate.Gateway.Policies.Loading;

/// <summary>What a path names once symbolic links are followed.</summary>
internal enum FileEntryKind
{
    /// <summary>Nothing (or a symbolic link to nothing).</summary>
    Missing,
    RegularFile,
    Directory,
    NamedPipe,
    Socket,
    CharacterDevice,
    BlockDevice,

    /// <summary>The kind could not be found out; reading it says what is wrong, if anything.</summary>
    Unknown,
}

/// <summary>
/// The kind and size of what a path names, following symbolic links (as a ConfigMap's files are). .NET's public file
/// API tells files from directories only: a named pipe, a socket or a device looks like an empty regular file, and
/// opening a named pipe to read it waits for a writer, for ever. So on Unix this asks stat(2) through the runtime's own
/// native shim, libSystem.Native, which .NET's file classes call on every Unix platform and whose FileStatus has begun
/// with Flags, Mode, Uid, Gid and Size since .NET Core 1.0 (the structure is declared larger than it is, so fields the
/// runtime adds at the end cannot overrun it). On Windows, where pipes and devices are not directory entries, and
/// should the shim not answer, the public API's view is used.
/// </summary>
internal readonly record struct FileEntry(FileEntryKind Kind, long Size)
{
    private const int ENOENT = 2;
    private const int ENOTDIR = 20;

    public static FileEntry Of(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return Managed(path);
        }

        try
        {
            if (NativeMethods.Stat(path, out var status) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return new FileEntry(errno is ENOENT or ENOTDIR ? FileEntryKind.Missing : FileEntryKind.Unknown, 0);
            }

            return new FileEntry(KindOf(status.Mode), status.Size);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return Managed(path);
        }
    }

    /// <summary>The file type bits of a mode, as the shim reports them (its own constants, the same on every platform).</summary>
    private static FileEntryKind KindOf(int mode) => (mode & 0xF000) switch
    {
        0x8000 => FileEntryKind.RegularFile,
        0x4000 => FileEntryKind.Directory,
        0x1000 => FileEntryKind.NamedPipe,
        0xC000 => FileEntryKind.Socket,
        0x2000 => FileEntryKind.CharacterDevice,
        0x6000 => FileEntryKind.BlockDevice,
        _ => FileEntryKind.Unknown,
    };

    /// <summary>Files and directories only; a pipe or a device would read as a regular file (Windows has none in directories).</summary>
    private static FileEntry Managed(string path) =>
        Directory.Exists(path) ? new FileEntry(FileEntryKind.Directory, 0)
        : new FileInfo(path) is { Exists: true } file ? new FileEntry(FileEntryKind.Unknown, file.LinkTarget is null ? file.Length : 0)
        : new FileEntry(FileEntryKind.Missing, 0);

    private static class NativeMethods
    {
        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
        public static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out FileStatus status);
    }

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
        public uint Uid;
        public uint Gid;
        public long Size;
    }
}
