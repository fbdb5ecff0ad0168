using System.Net;
using System.Net.Sockets;
using System.Text;
using RefusalGate.FunctionalTests.Infrastructure;

namespace RefusalGate.FunctionalTests;

/// <summary>With <c>Telemetry:Otlp</c> configured, the OpenTelemetry SDK pushes the gateway's instruments to a collector.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Metrics_are_pushed_over_otlp_http_to_the_configured_collector()
    {
        var port = FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        await using var gateway = await TestGateway.StartAsync(new()
        {
            ["Telemetry:Otlp:Endpoint"] = $"http://127.0.0.1:{port}/",
            ["Telemetry:Otlp:Protocol"] = "http/protobuf",
            ["Telemetry:Otlp:ExportInterval"] = "00:00:00.200",
        });
        (await gateway.Http.PostChatAsync("What is the boiling point of water?")).EnsureSuccessStatusCode();

        // Exports arrive every 200 ms; read until one carries the gate request counter (bounded, not a latency assertion).
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var context = await collector.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(30));
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            context.Response.StatusCode = 200;
            context.Response.Close();

            context.Request.Url!.AbsolutePath.ShouldBe("/v1/metrics");
            context.Request.ContentType.ShouldBe("application/x-protobuf");

            // Protobuf keeps strings as UTF-8 bytes: the instrument name and the resource's service name are readable.
            var payload = Encoding.UTF8.GetString(body.ToArray());
            if (payload.Contains("refusalgate.gate.requests", StringComparison.Ordinal))
            {
                payload.ShouldContain("service.name");
                return;
            }
        }

        throw new ShouldAssertException("No OTLP export carried refusalgate.gate.requests.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
