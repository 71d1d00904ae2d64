using Orchestrator.ServiceDefaults;
using Orchestrator.Simulators;
using Orchestrator.Workflow;
using Orchestrator.Workflow.Hosting;

namespace Orchestrator.Api.Hosting;

public static class TaskProcessingRegistration
{
    /// <summary>
    /// On the in-memory bus (the embedded mode) this process also runs the workflow, and the simulators unless
    /// MARKETPLACE_URL / PAYMENT_MANAGER_URL point elsewhere (hostile when <c>Simulators:Hostile</c> says so), with a development x402 wallet unless <c>X402:PrivateKey</c> is set. On RabbitMQ it only publishes: Workers do the rest.
    /// </summary>
    public static IHostApplicationBuilder AddTaskProcessing(this IHostApplicationBuilder builder)
    {
        if (!builder.UsesInMemoryBus())
            return builder.AddOrchestratorBus();

        builder.AddEmbeddedSimulators();
        builder.UseDevelopmentWallet();
        return builder.AddResearchWorkflow();
    }

    static void AddEmbeddedSimulators(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (configuration[WorkflowOptions.MarketplaceUrlKey] is { Length: > 0 } &&
            configuration[WorkflowOptions.PaymentManagerUrlKey] is { Length: > 0 })
            return;

        // The addresses are fixed now, so the clients know them; the simulators start with the host.
        var marketplaceUrl = configuration["Simulators:MarketplaceUrl"] ?? FreeLoopbackUrl();
        var paymentManagerUrl = configuration["Simulators:PaymentManagerUrl"] ?? FreeLoopbackUrl();
        configuration[WorkflowOptions.MarketplaceUrlKey] ??= marketplaceUrl;
        configuration[WorkflowOptions.PaymentManagerUrlKey] ??= paymentManagerUrl;
        var elsewhereUrl = configuration["Simulators:ElsewhereUrl"] ?? "http://127.0.0.1:0";
        var behaviour = SimulatorBehaviour.FromConfiguration(configuration);
        builder.Services.AddHostedService(_ => new EmbeddedSimulators(marketplaceUrl, paymentManagerUrl, elsewhereUrl, behaviour));
    }

    static string FreeLoopbackUrl() => $"http://127.0.0.1:{LoopbackPort.Free()}";

    /// <summary>The simulators as part of this host's lifetime, started before the bus takes messages.</summary>
    sealed class EmbeddedSimulators(string marketplaceUrl, string paymentManagerUrl, string elsewhereUrl, SimulatorBehaviour behaviour)
        : IHostedService, IAsyncDisposable
    {
        SimulatorHost? _simulators;

        public async Task StartAsync(CancellationToken cancellationToken) =>
            _simulators = await SimulatorHost.StartAsync(marketplaceUrl, paymentManagerUrl, behaviour, elsewhereUrl, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => _simulators?.StopAsync(cancellationToken) ?? Task.CompletedTask;

        public ValueTask DisposeAsync() => _simulators?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
