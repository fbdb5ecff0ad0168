using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace RefusalGate.Gateway.Telemetry;

/// <summary>Wires the OpenTelemetry SDK's OTLP metric exporter when <c>Telemetry:Otlp:Endpoint</c> is configured.</summary>
internal static class OtlpExport
{
    public static void AddOtlpExportIfConfigured(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(OtlpExportOptions.SectionName).Get<OtlpExportOptions>();
        if (options?.Endpoint is not { } endpoint)
        {
            return;
        }

        var http = options.Protocol switch
        {
            "grpc" => false,
            "http/protobuf" => true,
            // Reported like the validated sections: exit code 1 and one line naming the setting.
            _ => throw new OptionsValidationException(OtlpExportOptions.SectionName, typeof(OtlpExportOptions), [$"{OtlpExportOptions.SectionName}:Protocol must be 'grpc' or 'http/protobuf', not '{options.Protocol}'."]),
        };

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("refusalgate"))
            .WithMetrics(metrics => metrics
                .AddMeter(GatewayMetrics.MeterName, GatewayMetrics.MeterName + ".*")
                .AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                    exporter.Endpoint = http ? new Uri(endpoint, "v1/metrics") : endpoint;
                    exporter.Headers = options.Headers;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
                }));
    }
}
