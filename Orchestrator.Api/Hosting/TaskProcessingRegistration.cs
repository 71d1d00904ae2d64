using Orchestrator.Simulators;
using Orchestrator.Worker.Hosting;

namespace Orchestrator.Api.Hosting;

public static class TaskProcessingRegistration
{
    /// <summary>
    /// On the in-memory bus (the embedded mode) this process also runs the workflow, and the simulators unless
    /// MARKETPLACE_URL / PAYMENT_MANAGER_URL point elsewhere. On RabbitMQ it only publishes: Workers do the rest.
    /// </summary>
    public static IHostApplicationBuilder AddTaskProcessing(this IHostApplicationBuilder builder)
    {
        if (!builder.UsesInMemoryBus())
            return builder.AddOrchestratorBus();

        builder.AddEmbeddedSimulators();
        return builder.AddResearchWorkflow();
    }

    static void AddEmbeddedSimulators(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (configuration[WorkflowOptions.MarketplaceUrlKey] is { Length: > 0 } &&
            configuration[WorkflowOptions.PaymentManagerUrlKey] is { Length: > 0 })
            return;

        var simulators = SimulatorHost.StartAsync(
                configuration["Simulators:MarketplaceUrl"] ?? "http://127.0.0.1:0",
                configuration["Simulators:PaymentManagerUrl"] ?? "http://127.0.0.1:0")
            .GetAwaiter().GetResult();
        builder.Services.AddSingleton(simulators);

        configuration[WorkflowOptions.MarketplaceUrlKey] ??= simulators.MarketplaceUrl.ToString();
        configuration[WorkflowOptions.PaymentManagerUrlKey] ??= simulators.PaymentManagerUrl.ToString();
    }
}
