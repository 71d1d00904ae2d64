using System.Diagnostics;
using System.Runtime.CompilerServices;
using MassTransit;
using Microsoft.Extensions.Logging;
using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>
/// Appends one <see cref="ResearchTaskTransition"/> per state change, with the event that caused it, and logs it;
/// tells watchers (<see cref="TaskProgressed"/>, if it has any) and counts it (<see cref="TaskMetrics"/>) once it is committed.
/// </summary>
sealed partial class TransitionHistory(TimeProvider clock, ILogger logger, WatchedTasks watched, IEnumerable<ITaskEndObserver> endObservers) : IStateObserver<ResearchTaskState>, IEventObserver<ResearchTaskState>
{
    /// <summary>
    /// What a task had spent when the message that changes it was loaded: every change of <c>Spent</c> comes with a
    /// state change, so the difference at the transition is the money charged in this step. Keyed by the loaded
    /// instance, so a retried message (a fresh load) starts afresh.
    /// </summary>
    readonly ConditionalWeakTable<ResearchTaskState, StrongBox<long>> _spentAtLoad = [];

    public Task StateChanged(BehaviorContext<ResearchTaskState> context, State currentState, State previousState)
    {
        // A new instance is first put in Initial: that is where a history starts, not a change.
        if (previousState is null)
            return Task.CompletedTask;

        var now = clock.GetUtcNow().UtcDateTime;
        var task = context.Saga;
        task.UpdatedAt = now;
        task.TraceId ??= Activity.Current is { } activity ? activity.TraceId.ToHexString() : null;
        task.Transitions.Add(new ResearchTaskTransition
        {
            TaskId = task.CorrelationId,
            FromState = previousState.Name,
            ToState = currentState.Name,
            Event = context.Event.Name,
            At = now,
        });
        if (task.ErrorType is { } error && currentState.Name == TaskStates.Failed)
            LogFailed(logger, task.CorrelationId, previousState.Name, error, task.ErrorMessage);
        else
            LogTransition(logger, task.CorrelationId, previousState.Name, currentState.Name, context.Event.Name, task.Spent, task.Budget);

        CountAfterCommit(context, task, previousState.Name, currentState.Name, now);

        // Published through the endpoint's outbox: it leaves once the new state is committed, so a watcher that
        // reads the task on it sees the change. Nobody watching, nothing to tell.
        if (!watched.IsWatched(task.CorrelationId))
            return Task.CompletedTask;
        return context.Publish(new TaskProgressed(task.CorrelationId, previousState.Name, currentState.Name, task.Spent, now), context.CancellationToken);
    }

    void CountAfterCommit(ConsumeContext context, ResearchTaskState task, string from, string to, DateTime now)
    {
        var spent = _spentAtLoad.TryGetValue(task, out var atLoad) ? task.Spent - atLoad.Value : 0;
        var (status, errorType, createdAt) = (to, task.ErrorType, task.CreatedAt);
        var started = from == TaskStates.Submitted && to != TaskStates.Cancelled;
        var ended = ResearchTaskState.IsFinal(to);
        var wasStarted = from != TaskStates.Submitted;

        void Count()
        {
            if (started)
                TaskMetrics.TaskStarted();
            if (spent > 0)
                TaskMetrics.MoneySpent(spent);
            if (!ended)
                return;
            TaskMetrics.TaskEnded(status, errorType, now - createdAt, wasStarted);
            foreach (var observer in endObservers)
                observer.TaskEnded();
        }

        context.AfterCommit(Count);
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

    [LoggerMessage(LogLevel.Information, "Task {TaskId}: {FromState} -> {ToState} on {Event} (spent {Spent} of {Budget})")]
    static partial void LogTransition(ILogger logger, Guid taskId, string fromState, string toState, string @event, long spent, long budget);

    [LoggerMessage(LogLevel.Warning, "Task {TaskId} failed in {FromState}: {ErrorType} {ErrorMessage}")]
    static partial void LogFailed(ILogger logger, Guid taskId, string fromState, string errorType, string? errorMessage);
}
