using Orchestrator.IntegrationTests.Messaging;
using Orchestrator.Simulators;

namespace Orchestrator.IntegrationTests.Worker;

/// <summary>The settings of a host of the distributed mode: RabbitMQ, PostgreSQL, the simulators.</summary>
static class DistributedSettings
{
    /// <summary>
    /// <paramref name="migrate"/>: the Api owns the schema, the Workers start on it. <paramref name="extra"/> adds
    /// to those settings or replaces some (a broker or database address behind a proxy, the recovery timings).
    /// </summary>
    public static Dictionary<string, string> For(
        string connectionString, TestVirtualHost broker, SimulatorHost simulators, bool migrate, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Bus__Transport"] = "RabbitMq",
            ["RabbitMq__Host"] = TestVirtualHost.Host,
            ["RabbitMq__VirtualHost"] = broker.Name,
            ["Database__Provider"] = "Postgres",
            ["Database__MigrateOnStart"] = migrate ? "true" : "false",
            ["ConnectionStrings__Orchestrator"] = connectionString,
            ["MARKETPLACE_URL"] = simulators.MarketplaceUrl.ToString(),
            ["PAYMENT_MANAGER_URL"] = simulators.PaymentManagerUrl.ToString(),
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            settings[key] = value;
        return settings;
    }
}
