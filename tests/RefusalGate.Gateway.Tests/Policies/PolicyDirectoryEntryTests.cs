using System.Diagnostics;
using System.Net.Sockets;
using RefusalGate.Gateway.Policies.Loading;

namespace RefusalGate.Gateway.Tests.Policies;

/// <summary>
/// What the loader does with every kind of entry a policy directory can hold under a <c>*.yaml</c> name: a regular file
/// (or a link to one, as a Kubernetes ConfigMap mounts them) is read; anything else is one error naming what it is, and
/// is never opened, so a named pipe cannot freeze a reload and a device cannot be read without end. Real entries, made
/// as an operator (or a container runtime) would make them.
/// </summary>
public sealed class PolicyDirectoryEntryTests : IDisposable
{
    private const string Valid = "version: 1\npolicy: { failMode: open }\n";
    private static readonly PolicyLoadContext Context = new(["violent_crimes"], ["main"]);

    private readonly string _directory = Directory.CreateTempSubdirectory("refusalgate-policy-entries-").FullName;

    public PolicyDirectoryEntryTests() => File.WriteAllText(Path.Combine(_directory, "policy.yaml"), Valid);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_named_pipe_is_reported_and_never_opened()
    {
        var pipe = Path.Combine(_directory, "pipe.yaml");
        Run("mkfifo", pipe);
        try
        {
            // Opening a FIFO for reading waits for a writer: bounded here so the old behaviour fails instead of hanging.
            var load = Task.Run(() => PolicyLoader.LoadDirectory(_directory, Context));
            var result = await load.WaitAsync(TimeSpan.FromSeconds(30));

            OnlyError(result).ShouldBe($"{pipe}: Not read: this is a named pipe (FIFO), not a regular file; reading one waits for a writer. Remove it, or name it without .yaml/.yml.");
        }
        finally
        {
            ReleaseReaderOf(pipe);
        }
    }

    [Fact]
    public void A_socket_is_reported_and_never_opened()
    {
        var path = Path.Combine(_directory, "gateway.yaml");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));

        OnlyError(PolicyLoader.LoadDirectory(_directory, Context))
            .ShouldBe($"{path}: Not read: this is a socket, not a regular file. Remove it, or name it without .yaml/.yml.");
    }

    [Fact]
    public void A_link_to_a_device_is_reported_and_never_read()
    {
        // /dev/zero would be read without end; /dev/null shows the same rule without the risk on old code.
        var path = Path.Combine(_directory, "null.yaml");
        File.CreateSymbolicLink(path, "/dev/null");

        OnlyError(PolicyLoader.LoadDirectory(_directory, Context))
            .ShouldBe($"{path}: Not read: this is a character device, not a regular file. Remove it, or name it without .yaml/.yml.");
    }

    [Fact]
    public void A_directory_named_like_a_policy_file_is_an_error()
    {
        // `docker run -v ./extra.yaml:/policies/extra.yaml` creates a directory when ./extra.yaml does not exist.
        var path = Path.Combine(_directory, "extra.yaml");
        Directory.CreateDirectory(path);

        OnlyError(PolicyLoader.LoadDirectory(_directory, Context))
            .ShouldBe($"{path}: Not read: this is a directory, not a policy file (a container runtime creates one when a file mounted there did not exist). Remove it, or name it without .yaml/.yml.");
    }

    [Fact]
    public void A_dangling_symbolic_link_names_its_target()
    {
        var path = Path.Combine(_directory, "gone.yaml");
        File.CreateSymbolicLink(path, "..data/gone.yaml");

        OnlyError(PolicyLoader.LoadDirectory(_directory, Context))
            .ShouldBe($"{path}: Not read: a symbolic link to '..data/gone.yaml', which does not exist.");
    }

    [Fact]
    public void A_symbolic_link_to_a_regular_file_is_read_as_the_file()
    {
        // How a ConfigMap volume presents its keys: policy.yaml -> ..data/policy.yaml, ..data -> ..2024_01_01_00_00_00.1
        var data = Directory.CreateDirectory(Path.Combine(_directory, "..2024_01_01_00_00_00.1")).FullName;
        File.Move(Path.Combine(_directory, "policy.yaml"), Path.Combine(data, "policy.yaml"));
        Directory.CreateSymbolicLink(Path.Combine(_directory, "..data"), Path.GetFileName(data));
        File.CreateSymbolicLink(Path.Combine(_directory, "policy.yaml"), "..data/policy.yaml");

        var result = PolicyLoader.LoadDirectory(_directory, Context);

        result.Errors.ShouldBeEmpty();
        result.Policies!.Files.ShouldBe([Path.Combine(_directory, "policy.yaml")]);
    }

    [Fact]
    public void A_file_removed_after_the_directory_was_listed_is_an_error_not_a_crash()
    {
        var gone = Path.Combine(_directory, "removed.yaml");

        OnlyError(PolicyLoader.LoadFiles([Path.Combine(_directory, "policy.yaml"), gone], Context))
            .ShouldBe($"{gone}: Not read: the file is gone (removed after the directory was listed); the next reload reads the directory again.");
    }

    [Fact]
    public void A_file_larger_than_a_policy_can_be_is_not_read()
    {
        var path = Path.Combine(_directory, "huge.yaml");
        using (var stream = File.Create(path))
        {
            stream.SetLength(PolicyFileReader.MaxBytes + 1); // Sparse: takes no disk space, reads as zeros.
        }

        OnlyError(PolicyLoader.LoadDirectory(_directory, Context))
            .ShouldBe($"{path}: Not read: {PolicyFileReader.MaxBytes + 1} bytes; a policy file may have at most {PolicyFileReader.MaxBytes} (1 MiB).");
    }

    [Fact]
    public void The_policy_directory_itself_missing_is_one_error()
    {
        var missing = Path.Combine(_directory, "nowhere");

        OnlyError(PolicyLoader.LoadDirectory(missing, Context)).ShouldBe($"{missing}: The policy directory does not exist.");
    }

    private static string OnlyError(PolicyLoadResult result)
    {
        result.Succeeded.ShouldBeFalse();
        return result.Errors.ShouldHaveSingleItem(string.Join("\n", result.Errors)).ToString();
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, process.StandardError.ReadToEnd());
    }

    /// <summary>A reader blocked in opening the pipe (the old behaviour) gets a writer and so returns.</summary>
    private static void ReleaseReaderOf(string pipe)
    {
        Run("sh", "-c", $"exec 3<>'{pipe}'");
    }
}
