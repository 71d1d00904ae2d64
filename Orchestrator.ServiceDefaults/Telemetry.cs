using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Orchestrator.ServiceDefaults;

/// <summary>
/// Traces and metrics of every host. Both are always collected: the trace id of a task is part of its view and of
/// its log lines, and <c>GET /metrics</c> serves the metrics for Prometheus. They leave the process over OTLP only
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class Telemetry
{
    public const string MetricsPath = "/metrics";

    /// <summary>MassTransit's spans carry the trace from <c>POST /tasks</c> through every message (in its headers).</summary>
    public static readonly string[] TraceSources = ["MassTransit", "Npgsql"];

    /// <summary>
    /// The service's, MassTransit's, the database clients' and the runtime's meters (ASP.NET Core and HttpClient come
    /// with their instrumentation).
    /// </summary>
    public static readonly string[] Meters = [TaskMetrics.MeterName, "MassTransit", "Npgsql", "Microsoft.EntityFrameworkCore", "System.Runtime"];

    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        var telemetry = builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing
                .AddSource(TraceSources)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = IsTraced)
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(Meters)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddPrometheusExporter());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            telemetry.UseOtlpExporter();
        return builder;
    }

    /// <summary>Scrapes and health probes come every few seconds and say nothing about a task: no trace for them.</summary>
    static bool IsTraced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments(MetricsPath) && !context.Request.Path.StartsWithSegments("/health");
}
