using MassTransit;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>Appends one <see cref="ResearchTaskTransition"/> per state change, with the event that caused it.</summary>
sealed class TransitionHistory(TimeProvider clock) : IStateObserver<ResearchTaskState>
{
    public Task StateChanged(BehaviorContext<ResearchTaskState> context, State currentState, State previousState)
    {
        // A new instance is first put in Initial: that is where a history starts, not a change.
        if (previousState is null)
            return Task.CompletedTask;

        var now = clock.GetUtcNow().UtcDateTime;
        var task = context.Saga;
        task.UpdatedAt = now;
        task.Transitions.Add(new ResearchTaskTransition
        {
            TaskId = task.CorrelationId,
            FromState = previousState.Name,
            ToState = currentState.Name,
            Event = context.Event.Name,
            At = now,
        });
        return Task.CompletedTask;
    }
}
