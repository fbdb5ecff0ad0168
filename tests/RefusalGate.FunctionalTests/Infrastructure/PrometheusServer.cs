using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace RefusalGate.FunctionalTests.Infrastructure;

/// <summary>
/// A real Prometheus server (Debian's prometheus package, installed by the test setup) on a free loopback port,
/// scraping the given gateways every second and evaluating the given rule files as often; stopped and its data deleted
/// on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    public static async Task<PrometheusServer> StartAsync(IEnumerable<Uri> targets, params string[] ruleFiles)
    {
        var directory = Directory.CreateTempSubdirectory("refusalgate-prometheus-").FullName;
        var config = Path.Combine(directory, "prometheus.yml");
        var hosts = string.Join(", ", targets.Select(t => $"'{t.Authority}'"));
        var rules = string.Join(", ", ruleFiles.Select(f => $"'{f}'"));
        await File.WriteAllTextAsync(config, $"""
            global: {"{"} scrape_interval: 1s, evaluation_interval: 1s {"}"}
            rule_files: [{rules}]
            scrape_configs:
              - job_name: refusalgate
                static_configs:
                  - targets: [{hosts}]
            """);
        var port = FreePort();
        var start = new ProcessStartInfo("prometheus")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start (is it installed? ./test.sh installs it).");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, directory, port);

        // Ready when its readiness endpoint says so (bounded so a broken install fails instead of hanging).
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await server._http.GetAsync("-/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        throw new InvalidOperationException($"prometheus did not become ready on port {port}.");
    }

    /// <summary>Runs an instant query; the result vector as (labels, value) pairs. Fails the test on a query error.</summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var response = await _http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promql));
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        json.RootElement.GetProperty("status").GetString().ShouldBe("success", $"{promql}: {body}");
        var data = json.RootElement.GetProperty("data");
        if (data.GetProperty("resultType").GetString() == "scalar")
        {
            return [([], Number(data.GetProperty("result")[1]))];
        }

        return [.. data.GetProperty("result").EnumerateArray().Select(series => (
            series.GetProperty("metric").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!),
            Number(series.GetProperty("value")[1])))];
    }

    /// <summary>
    /// Runs <paramref name="promql"/> until its result satisfies <paramref name="done"/> (bounded, so a broken setup
    /// fails instead of hanging; not a latency assertion); the last result either way.
    /// </summary>
    public async Task<List<(Dictionary<string, string> Labels, double Value)>> QueryUntilAsync(string promql, Func<List<(Dictionary<string, string> Labels, double Value)>, bool> done)
    {
        var result = await QueryAsync(promql);
        for (var i = 0; i < 300 && !done(result); i++)
        {
            await Task.Delay(100);
            result = await QueryAsync(promql);
        }

        return result;
    }

    /// <summary>The single value of a query that sums to one series (NaN when it has none yet).</summary>
    public async Task<double> ValueAsync(string promql) => (await QueryAsync(promql)) is [var only] ? only.Value : double.NaN;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static double Number(JsonElement value) => double.Parse(value.GetString()!, CultureInfo.InvariantCulture);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
