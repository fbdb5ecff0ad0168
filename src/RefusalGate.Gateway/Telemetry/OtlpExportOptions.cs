namespace RefusalGate.Gateway.Telemetry;

/// <summary>
/// The <c>Telemetry:Otlp</c> section: optional push of every <c>refusalgate.*</c> instrument to an OpenTelemetry
/// collector, beside the always-on Prometheus <c>/metrics</c>. Off unless an endpoint is set.
/// </summary>
public sealed class OtlpExportOptions
{
    public const string SectionName = "Telemetry:Otlp";

    /// <summary>The collector, e.g. <c>http://otel-collector:4317</c> (gRPC) or <c>http://otel-collector:4318</c> (HTTP).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary><c>grpc</c> (the default) or <c>http/protobuf</c>; for HTTP the path <c>/v1/metrics</c> is added to the endpoint.</summary>
    public string Protocol { get; set; } = "grpc";

    /// <summary>How often metrics are pushed.</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Extra request headers for the collector (e.g. an API key), as <c>key=value,key2=value2</c>; never logged.</summary>
    public string? Headers { get; set; }
}
