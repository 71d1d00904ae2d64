using MassTransit;

namespace Orchestrator.Sagas.ResearchTasks;

public sealed class ResearchTaskStateDefinition : SagaDefinition<ResearchTaskState>
{
    protected override void ConfigureSaga(
        IReceiveEndpointConfigurator endpointConfigurator,
        ISagaConfigurator<ResearchTaskState> sagaConfigurator,
        IRegistrationContext context)
    {
        // Concurrent events of one task collide on the version column; a retry reloads and applies again.
        endpointConfigurator.UseMessageRetry(r => r.Intervals(10, 50, 100, 250, 500, 1000, 1000, 2000));

        // What the saga publishes leaves only after its new state is committed.
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
