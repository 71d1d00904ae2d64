using MassTransit;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>Tells the host's <see cref="ITaskEndObserver"/>s (admission: a slot is free) that a task ended, once that is committed.</summary>
sealed class TaskEndNotices(IEnumerable<ITaskEndObserver> observers) : IStateObserver<ResearchTaskState>
{
    public Task StateChanged(BehaviorContext<ResearchTaskState> context, State currentState, State previousState)
    {
        if (previousState is not null && ResearchTaskState.IsFinal(currentState.Name))
        {
            context.AfterCommit(() =>
            {
                foreach (var observer in observers)
                    observer.TaskEnded();
            });
        }

        return Task.CompletedTask;
    }
}
