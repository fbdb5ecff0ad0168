using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace RefusalGate.Gateway.Tests.OutcomeLog;

/// <summary>A real redis-server on a free loopback port, started and stopped by the test (no persistence).</summary>
public sealed class RedisServer : IDisposable
{
    private Process? _process;

    public RedisServer(int? port = null)
    {
        Port = port ?? FreePort();
    }

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public static RedisServer Start()
    {
        var server = new RedisServer();
        server.Restart();
        return server;
    }

    public void Restart()
    {
        Stop();
        _process = Process.Start(new ProcessStartInfo("redis-server", $"--port {Port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("redis-server did not start (is it installed? ./test.sh installs it).");
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();

        // Up when the port accepts connections (bounded so a broken install fails instead of hanging).
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on port {Port}.");
    }

    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
