using MassTransit;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Security;
using Orchestrator.Contracts;
using Orchestrator.Workflow.Admission;

namespace Orchestrator.Api.Tasks;

/// <summary>
/// Accepts a task: records it <c>Submitted</c> with its owner and voice id (<see cref="TaskRecorder"/>), so that its id is readable at once and
/// the task is never lost, and wakes this process's admission, which starts it when a slot is free (in the
/// distributed mode the Workers find it within a poll). Refuses new tasks while too many wait
/// (<see cref="TaskBacklog"/>). Passes cancellations on.
/// </summary>
public sealed partial class TaskIntake(
    OrchestratorDbContext db,
    IPublishEndpoint publishEndpoint,
    TaskRecorder recorder,
    TaskBacklog backlog,
    AdmissionSignal admission,
    SubmissionHashes hashes,
    SubmissionLimits submissionLimits,
    IOptions<RateLimitOptions> limits,
    IOptions<AuthOptions> auth,
    KeyedLocks locks,
    TimeProvider clock,
    ILogger<TaskIntake> logger)
{
    const string CancelRequested = "requested";
    static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Records the task; with an <c>Idempotency-Key</c> used before, answers that task (even under overload or a
    /// voice-guessing pause), or that the key was used for another body.
    /// </summary>
    public async Task<SubmitOutcome> SubmitAsync(SubmitTaskRequest request, Caller caller, string? idempotencyKey, CancellationToken cancellationToken)
    {
        if (idempotencyKey is not null && await SubmittedWithKeyAsync(caller, idempotencyKey, cancellationToken) is { } earlier)
            return Replayed(earlier, request);

        // The guesses are counted and the task recorded as one step per owner: a parallel burst is counted in full.
        var limited = limits.Value.IsEnabled(auth.Value.OpenToOthers);
        using var ownersTurn = limited ? await locks.EnterAsync("owner:" + caller.OwnerId, cancellationToken) : null;
        if (limited && await submissionLimits.VoiceGuessingPauseAsync(caller.OwnerId, request.VoiceId, cancellationToken) is { } pause)
            return new SubmitOutcome.VoiceGuessing(pause);

        if (backlog.IsOverloaded)
        {
            AdmissionMetrics.SubmissionRejected();
            LogOverloaded(logger, backlog.Waiting);
            return new SubmitOutcome.Overloaded(backlog.RetryAfter);
        }

        // A version 7 id begins with its time: a new task's key goes at the end of the primary key's index, where
        // the pages are already in cache, instead of into a random page. It says when the task was created, which
        // its owner sees anyway; 74 of its bits stay random.
        var task = ResearchTaskState.Accept(Guid.CreateVersion7(), request.Theme, request.Budget, request.VoiceId, caller.OwnerId, clock.GetUtcNow().UtcDateTime);
        (task.SubmissionKey, task.SubmissionHash) = (idempotencyKey, idempotencyKey is null ? null : hashes.Of(request));
        task.TraceId = TaskTrace.Current;
        try
        {
            await recorder.RecordAsync(task);
        }
        catch (DbUpdateException) when (idempotencyKey is not null)
        {
            // The same key raced in from another request: answer as if it came second.
            var winner = await SubmittedWithKeyAsync(caller, idempotencyKey, cancellationToken) ?? throw new InvalidOperationException("The task could not be recorded");
            return Replayed(winner, request);
        }

        admission.Wake();
        LogAccepted(logger, task.CorrelationId, task.Budget);
        return new SubmitOutcome.Recorded(task.CorrelationId);
    }

    SubmitOutcome Replayed(Submission earlier, SubmitTaskRequest request) =>
        hashes.Match(earlier.Hash, request) ? new SubmitOutcome.Recorded(earlier.TaskId) : new SubmitOutcome.KeyReused();

    /// <summary>
    /// Records who asked for the cancellation, the first time it is asked (a repeated cancel adds no audit entry),
    /// then asks the saga, every time (a cancel the bus refused before is sent again); false when the bus refused it.
    /// </summary>
    public async Task<bool> CancelAsync(Guid taskId, Caller caller, CancellationToken cancellationToken)
    {
        using (await locks.EnterAsync("cancel:" + taskId, cancellationToken))
        {
            var requested = await db.AuditEvents.AsNoTracking()
                .AnyAsync(e => e.TaskId == taskId && e.Action == AuditActions.Cancelled && e.Outcome == CancelRequested, cancellationToken);
            if (!requested)
            {
                db.AuditEvents.Add(AuditEvent.For(taskId, clock.GetUtcNow().UtcDateTime, caller.OwnerId, AuditActions.Cancelled, CancelRequested));
                await db.SaveChangesAsync(cancellationToken);
            }
        }

        return await PublishAsync(new CancelTask(taskId), taskId, cancellationToken);
    }

    Task<Submission?> SubmittedWithKeyAsync(Caller caller, string key, CancellationToken cancellationToken) =>
        db.UntrackedTasks
            .Where(t => t.OwnerId == caller.OwnerId && t.SubmissionKey == key)
            .Select(t => new Submission(t.CorrelationId, t.SubmissionHash))
            .FirstOrDefaultAsync(cancellationToken);

    sealed record Submission(Guid TaskId, string? Hash);

    async Task<bool> PublishAsync<T>(T message, Guid taskId, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PublishTimeout);
            await publishEndpoint.Publish(message, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogRefused(logger, e, typeof(T).Name, taskId);
            return false;
        }
    }

    [LoggerMessage(LogLevel.Information, "Task {TaskId} accepted with a budget of {Budget}")]
    static partial void LogAccepted(ILogger logger, Guid taskId, long budget);

    [LoggerMessage(LogLevel.Warning, "A new task was refused: {Waiting} recorded tasks wait to start")]
    static partial void LogOverloaded(ILogger logger, long waiting);

    [LoggerMessage(LogLevel.Error, "{Message} for task {TaskId} refused: the bus did not accept it")]
    static partial void LogRefused(ILogger logger, Exception exception, string message, Guid taskId);
}
