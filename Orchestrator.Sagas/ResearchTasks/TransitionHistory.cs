using MassTransit;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>Appends one <see cref="ResearchTaskTransition"/> per state change, with the event that caused it.</summary>
sealed class TransitionHistory(TimeProvider clock) : IStateObserver<ResearchTaskState>
{
    public Task StateChanged(BehaviorContext<ResearchTaskState> context, State currentState, State previousState)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var task = context.Saga;
        task.UpdatedAt = now;
        task.Transitions.Add(new ResearchTaskTransition
        {
            TaskId = task.CorrelationId,
            FromState = previousState?.Name ?? "Initial",
            ToState = currentState.Name,
            Event = context.Event.Name,
            At = now,
        });
        return Task.CompletedTask;
    }
}
