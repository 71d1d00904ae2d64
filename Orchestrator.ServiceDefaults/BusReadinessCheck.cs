using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.ServiceDefaults;

/// <summary>
/// Ready when every receive endpoint consumes, now. MassTransit's own check answers for the state of the bus
/// start, which an outage during the start can leave at "not started" for ever although the endpoints reconnected
/// and consume; this one reads the endpoints themselves, so it turns true again by itself after an outage.
/// </summary>
public sealed class BusReadinessCheck(IBusControl bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = bus.CheckHealth();
        if (NotConsuming(health) is { Count: > 0 } endpoints)
            return Task.FromResult(HealthCheckResult.Unhealthy($"Not consuming: {string.Join(", ", endpoints)}", health.Exception));
        return Task.FromResult(HealthCheckResult.Healthy($"{health.Endpoints.Count} endpoints consuming"));
    }

    /// <summary>The endpoints that do not consume now, with why; every endpoint when there are none to read.</summary>
    public static List<string> NotConsuming(BusHealthResult health)
    {
        if (health.Endpoints is not { Count: > 0 } endpoints)
            return [health.Description];
        return [.. endpoints
            .Where(e => e.Value.Status != BusHealthStatus.Healthy)
            .Select(e => $"{EndpointName(e.Key)} ({e.Value.Description})")];
    }

    static string EndpointName(string address) => address.TrimEnd('/').Split('/')[^1].Split('?')[0];
}
