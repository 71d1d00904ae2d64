using MassTransit;
using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>
/// Tells the hosts watching a task (<see cref="WatchedTasks"/>: a progress stream is open on it) of each state change,
/// with <see cref="TaskProgressed"/>. Published through the endpoint's outbox: it leaves once the new state is
/// committed, so a watcher that reads the task on it sees the change. Nobody watching, nothing to tell.
/// </summary>
sealed class ProgressNotices(TimeProvider clock, WatchedTasks watched) : IStateObserver<ResearchTaskState>
{
    public Task StateChanged(BehaviorContext<ResearchTaskState> context, State currentState, State previousState)
    {
        var task = context.Saga;
        if (previousState is null || !watched.IsWatched(task.CorrelationId))
            return Task.CompletedTask;
        return context.Publish(new TaskProgressed(task.CorrelationId, previousState.Name, currentState.Name, task.Spent, clock.GetUtcNow().UtcDateTime),
            context.CancellationToken);
    }
}
