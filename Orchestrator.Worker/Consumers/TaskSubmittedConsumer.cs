using Orchestrator.Worker.Admission;

namespace Orchestrator.Worker.Consumers;

/// <summary>
/// The public intake: the only consumer of <see cref="TaskSubmitted"/>, published by other services with plain
/// JSON. It applies the API's rules and records the task (<c>Submitted</c>, or <c>Failed</c> with the reason);
/// admission starts it when a slot is free (<see cref="AdmissionSignal"/> wakes this host's). A task id recorded
/// already keeps its fields. A message without a task id is dropped with a warning: never faulted, so its voice id reaches no
/// error queue and no log.
/// </summary>
public sealed partial class TaskSubmittedConsumer(OrchestratorDbContext db, AdmissionSignal admission, TimeProvider clock, ILogger<TaskSubmittedConsumer> logger)
    : IConsumer<TaskSubmitted>
{
    public async Task Consume(ConsumeContext<TaskSubmitted> context)
    {
        var task = context.Message;
        if (task.TaskId == Guid.Empty)
        {
            LogWithoutTaskId(logger, context.MessageId);
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var problem = TaskRules.Check(task);
        var owner = problem is null ? task.OwnerId ?? TaskRules.BusOwner : TaskRules.BusOwner;
        var record = problem is null
            ? ResearchTaskState.Accept(task.TaskId, task.Theme, task.Budget, task.VoiceId, owner, now)
            : ResearchTaskState.Refuse(task.TaskId, task.Theme ?? "", task.Budget, owner, problem, now);
        record.TraceId = TaskTrace.Current;

        if (await db.RecordTaskAsync(record, context.CancellationToken) == nameof(ResearchTaskStateMachine.Submitted))
            admission.Wake();
    }

    [LoggerMessage(LogLevel.Warning, "A TaskSubmitted without a taskId was dropped (message {MessageId})")]
    static partial void LogWithoutTaskId(ILogger logger, Guid? messageId);
}
