using System.Runtime.CompilerServices;
using MassTransit;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>Counts each state change (<see cref="TaskMetrics"/>: started, money spent, ended) once it is committed.</summary>
sealed class TransitionMetrics(TimeProvider clock) : IStateObserver<ResearchTaskState>, IEventObserver<ResearchTaskState>
{
    /// <summary>
    /// What a task had spent when the message that changes it was loaded: every change of <c>Spent</c> comes with a
    /// state change, so the difference at the transition is the money charged in this step. Keyed by the loaded
    /// instance, so a retried message (a fresh load) starts afresh.
    /// </summary>
    readonly ConditionalWeakTable<ResearchTaskState, StrongBox<long>> _spentAtLoad = [];

    public Task StateChanged(BehaviorContext<ResearchTaskState> context, State currentState, State previousState)
    {
        if (previousState is null)
            return Task.CompletedTask;

        var task = context.Saga;
        var (from, to, now) = (previousState.Name, currentState.Name, clock.GetUtcNow().UtcDateTime);
        var spent = _spentAtLoad.TryGetValue(task, out var atLoad) ? task.Spent - atLoad.Value : 0;
        var (errorType, createdAt) = (task.ErrorType, task.CreatedAt);
        var started = from == TaskStates.Submitted && to != TaskStates.Cancelled;
        var ended = ResearchTaskState.IsFinal(to);
        var wasStarted = from != TaskStates.Submitted;

        context.AfterCommit(() =>
        {
            if (started)
                TaskMetrics.TaskStarted();
            if (spent > 0)
                TaskMetrics.MoneySpent(spent);
            if (ended)
                TaskMetrics.TaskEnded(to, errorType, now - createdAt, wasStarted);
        });
        return Task.CompletedTask;
    }

    public Task PreExecute(BehaviorContext<ResearchTaskState> context) => Remember(context.Saga);

    public Task PreExecute<T>(BehaviorContext<ResearchTaskState, T> context)
        where T : class => Remember(context.Saga);

    public Task PostExecute(BehaviorContext<ResearchTaskState> context) => Task.CompletedTask;

    public Task PostExecute<T>(BehaviorContext<ResearchTaskState, T> context)
        where T : class => Task.CompletedTask;

    public Task ExecuteFault(BehaviorContext<ResearchTaskState> context, Exception exception) => Task.CompletedTask;

    public Task ExecuteFault<T>(BehaviorContext<ResearchTaskState, T> context, Exception exception)
        where T : class => Task.CompletedTask;

    Task Remember(ResearchTaskState task)
    {
        _spentAtLoad.AddOrUpdate(task, new StrongBox<long>(task.Spent));
        return Task.CompletedTask;
    }
}
