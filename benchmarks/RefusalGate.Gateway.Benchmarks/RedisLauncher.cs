using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

/// <summary>
/// A throwaway redis-server on a free loopback port, without persistence, killed on dispose. The bench's own copy:
/// the test project's launcher lives under tests/ and a bench must not depend on test code.
/// </summary>
internal sealed class RedisLauncher : IDisposable
{
    private readonly Process _process;

    private RedisLauncher(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>A StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisLauncher> StartAsync()
    {
        var port = FreePort();
        var info = new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (Win32Exception)
        {
            throw new InvalidOperationException("redis-server is not on PATH; install it with `scripts/setup.sh test` (or `sudo apt-get install -y redis-server`).");
        }

        // Drain its output so a chatty server never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var launcher = new RedisLauncher(process, port);

        // Up when the port accepts connections; bounded so a broken install fails instead of hanging.
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited)
            {
                break;
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return launcher;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        launcher.Dispose();
        throw new InvalidOperationException($"redis-server did not listen on 127.0.0.1:{port}.");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
