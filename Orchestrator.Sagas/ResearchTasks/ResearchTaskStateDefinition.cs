using MassTransit;

namespace Orchestrator.Sagas.ResearchTasks;

public sealed class ResearchTaskStateDefinition : SagaDefinition<ResearchTaskState>
{
    protected override void ConfigureSaga(
        IReceiveEndpointConfigurator endpointConfigurator,
        ISagaConfigurator<ResearchTaskState> sagaConfigurator,
        IRegistrationContext context)
    {
        // Concurrent events of one task collide on the version column; a retry reloads and applies again. A database
        // that is down (PostgreSQL restarting, a SQLite file locked by another process) fails every attempt: the
        // intervals grow to 30 s and span about four minutes, so that an event outlives the outage instead of going
        // to the _error queue (the recovery sweep would resume the task, but later).
        endpointConfigurator.UseMessageRetry(r => r.Exponential(15, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)));

        // What the saga publishes leaves only after its new state is committed.
        endpointConfigurator.UseInMemoryOutbox(context);
    }
}
