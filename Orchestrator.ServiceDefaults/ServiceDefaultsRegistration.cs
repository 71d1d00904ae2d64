using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Serilog;
using Serilog.Events;

namespace Orchestrator.ServiceDefaults;

/// <summary>What every host of the service shares: logs, telemetry (<see cref="Telemetry"/>), health.</summary>
public static class ServiceDefaultsRegistration
{
    public const string ReadyTag = "ready";

    // TraceId ties a line to its task's trace: a task's lines all carry the trace id that GET /tasks/{id} shows.
    const string LogTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext} {TaskId} {TraceId} {Message:lj}{NewLine}{Exception}";

    public static readonly string Version =
        typeof(ServiceDefaultsRegistration).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.1.0";

    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        // Defaults in code, so that every host logs the same way; the Serilog section of the configuration
        // overrides levels and, when it lists sinks, replaces the console.
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.MinimumLevel.Information()
                .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
                .MinimumLevel.Override("Polly", LogEventLevel.Error)
                .Enrich.FromLogContext()
                .Enrich.With<OneLineLogValues>()
                .ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services);
            if (!builder.Configuration.GetSection("Serilog:WriteTo").Exists())
                logger.WriteTo.Console(outputTemplate: LogTemplate, formatProvider: CultureInfo.InvariantCulture);
        });

        builder.AddTelemetry();
        builder.Services.AddHealthChecks();
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// <c>GET /health</c> in the seed's shape (the process is up) and <c>GET /health/ready</c>
    /// (200 only when every check tagged <see cref="ReadyTag"/> passes: the database and the bus), and
    /// <c>GET /metrics</c>: without a token unless <paramref name="metricsAccess"/> says who may read it.
    /// </summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder app, Action<IEndpointConventionBuilder>? metricsAccess = null)
    {
        app.MapGet("/health", (TimeProvider clock) => TypedResults.Ok(new HealthResponse("healthy", Version, clock.GetUtcNow())))
            .WithTags("Health")
            .WithName("getHealth")
            .WithSummary("Whether the process is up (the seed's shape)")
            .AllowAnonymous();

        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) })
            .AllowAnonymous();

        // By default scraped like the health checks, without a token: it holds counts and durations, nothing of any
        // task. A host whose port is public says otherwise.
        var metrics = app.MapPrometheusScrapingEndpoint(Telemetry.MetricsPath);
        (metricsAccess ?? (endpoint => endpoint.AllowAnonymous()))(metrics);
        return app;
    }
}

public sealed record HealthResponse(string Status, string Version, DateTimeOffset Timestamp);
