using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>Appends one <see cref="ResearchTaskTransition"/> per state change, with the event that caused it, and logs it.</summary>
sealed partial class TransitionHistory(TimeProvider clock, ILogger logger) : IStateObserver<ResearchTaskState>
{
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
        return Task.CompletedTask;
    }

    [LoggerMessage(LogLevel.Information, "Task {TaskId}: {FromState} -> {ToState} on {Event} (spent {Spent} of {Budget})")]
    static partial void LogTransition(ILogger logger, Guid taskId, string fromState, string toState, string @event, long spent, long budget);

    [LoggerMessage(LogLevel.Warning, "Task {TaskId} failed in {FromState}: {ErrorType} {ErrorMessage}")]
    static partial void LogFailed(ILogger logger, Guid taskId, string fromState, string errorType, string? errorMessage);
}
