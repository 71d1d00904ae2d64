using Orchestrator.ServiceDefaults;
using Orchestrator.Workflow.Admission;

namespace Orchestrator.Workflow.Consumers;

/// <summary>
/// The public intake: the only consumer of <see cref="TaskSubmitted"/>, published by other services with plain
/// JSON. It applies the API's rules and records the task (<c>Submitted</c>, or <c>Failed</c> with the reason);
/// admission starts it when a slot is free (<see cref="AdmissionSignal"/> wakes this host's). A task id recorded
/// already keeps its fields. A message without a task id is dropped with a warning: never faulted, so its voice id reaches no
/// error queue and no log.
/// The owner named by the publisher is recorded in the bus's namespace (<c>bus:&lt;ownerId&gt;</c>) unless
/// <c>Bus:TrustOwnerId</c> says to take it as it is, and the API's per-owner limits apply to it
/// (<see cref="SubmissionLimits"/>): a task beyond them is recorded <c>Failed</c> with the reason, as an invalid one is.
/// </summary>
public sealed partial class TaskSubmittedConsumer(
    OrchestratorDbContext db,
    AdmissionSignal admission,
    SubmissionLimits limits,
    IOptions<RateLimitOptions> rateLimits,
    IOptions<BusOptions> bus,
    TimeProvider clock,
    ILogger<TaskSubmittedConsumer> logger)
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
        var trustOwnerId = bus.Value.TrustOwnerId;
        var problem = TaskRules.Check(task, trustOwnerId);
        var owner = problem is null ? TaskRules.OwnerOf(task, trustOwnerId) : TaskRules.BusOwner;
        if (problem is null && (problem = await OverLimitAsync(owner, task.VoiceId, context.CancellationToken)) is not null)
            LogOverLimit(logger, task.TaskId, problem);

        var record = problem is null
            ? ResearchTaskState.Accept(task.TaskId, task.Theme, task.Budget, task.VoiceId, owner, now)
            : ResearchTaskState.Refuse(task.TaskId, task.Theme ?? "", task.Budget, owner, problem, now);
        record.TraceId = TaskTrace.Current;

        if (await db.RecordTaskAsync(record, context.CancellationToken) == TaskStates.Submitted)
            admission.Wake();
    }

    /// <summary>
    /// The API's limits, per owner: on by default when the bus is RabbitMQ (other services publish on it), off on the
    /// in-memory bus (nothing but this process can publish there); <c>RateLimit:Enabled</c> forces either way.
    /// </summary>
    async Task<string?> OverLimitAsync(string owner, string voiceId, CancellationToken cancellationToken)
    {
        if (!rateLimits.Value.IsEnabled(openToOthers: bus.Value.Transport != BusTransport.InMemory))
            return null;
        if (await limits.VoiceGuessingPauseAsync(owner, voiceId, cancellationToken) is not null)
            return SubmissionLimits.TooManyVoiceFailures;
        return await limits.OverTaskRateAsync(owner, cancellationToken) ? SubmissionLimits.TooManyTasks : null;
    }

    [LoggerMessage(LogLevel.Warning, "A TaskSubmitted without a taskId was dropped (message {MessageId})")]
    static partial void LogWithoutTaskId(ILogger logger, Guid? messageId);

    [LoggerMessage(LogLevel.Warning, "Task {TaskId} from the bus was refused: {Reason}")]
    static partial void LogOverLimit(ILogger logger, Guid taskId, string reason);
}
