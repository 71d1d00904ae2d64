using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Security;
using Orchestrator.Contracts;
using Orchestrator.Worker.Admission;

namespace Orchestrator.Api.Tasks;

/// <summary>
/// Accepts a task: records it <c>Submitted</c> with its owner and voice id, so that its id is readable at once and
/// the task is never lost, and wakes this process's admission, which starts it when a slot is free (in the
/// distributed mode the Workers find it within a poll). Refuses new tasks while too many wait
/// (<see cref="TaskBacklog"/>). Passes cancellations on.
/// </summary>
public sealed partial class TaskIntake(
    OrchestratorDbContext db,
    IPublishEndpoint publishEndpoint,
    TaskBacklog backlog,
    AdmissionSignal admission,
    SubmissionLimits submissionLimits,
    IOptions<RateLimitOptions> limits,
    IOptions<AuthOptions> auth,
    TimeProvider clock,
    ILogger<TaskIntake> logger)
{
    static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Records the task; with an <c>Idempotency-Key</c> used before, answers that task (even under overload), or
    /// that the key was used for another body.
    /// </summary>
    public async Task<SubmitOutcome> SubmitAsync(SubmitTaskRequest request, Caller caller, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var hash = idempotencyKey is null ? null : Hash(request);
        if (idempotencyKey is not null && await SubmittedWithKeyAsync(caller, idempotencyKey, cancellationToken) is { } earlier)
            return Replayed(earlier, hash);

        if (backlog.IsOverloaded)
        {
            AdmissionMetrics.SubmissionRejected();
            LogOverloaded(logger, backlog.Waiting);
            return new SubmitOutcome.Overloaded(backlog.RetryAfter);
        }

        var task = ResearchTaskState.Accept(Guid.NewGuid(), request.Theme, request.Budget, request.VoiceId, caller.OwnerId, clock.GetUtcNow().UtcDateTime);
        (task.SubmissionKey, task.SubmissionHash) = (idempotencyKey, hash);
        task.TraceId = TaskTrace.Current;
        db.ResearchTasks.Add(task);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (idempotencyKey is not null)
        {
            // The same key raced in from another request: answer as if it came second.
            db.ChangeTracker.Clear();
            var winner = await SubmittedWithKeyAsync(caller, idempotencyKey, cancellationToken) ?? throw new InvalidOperationException("The task could not be recorded");
            return Replayed(winner, hash);
        }

        admission.Wake();
        LogAccepted(logger, task.CorrelationId, task.Budget);
        return new SubmitOutcome.Recorded(task.CorrelationId);
    }

    static SubmitOutcome Replayed(Submission earlier, string? hash) =>
        earlier.Hash == hash ? new SubmitOutcome.Recorded(earlier.TaskId) : new SubmitOutcome.KeyReused();

    /// <summary>
    /// How long the caller must wait before a new task, when too many of theirs ended in <c>AuthenticationError</c>
    /// within the hour (voice ids are not to be guessed); null when they may submit.
    /// </summary>
    public async Task<TimeSpan?> VoiceGuessingPauseAsync(Caller caller, CancellationToken cancellationToken) =>
        limits.Value.IsEnabled(auth.Value.OpenToOthers) ? await submissionLimits.VoiceGuessingPauseAsync(caller.OwnerId, cancellationToken) : null;

    /// <summary>Records who asked for the cancellation, then asks the saga; false when the bus refused the message.</summary>
    public async Task<bool> CancelAsync(Guid taskId, Caller caller, CancellationToken cancellationToken)
    {
        db.AuditEvents.Add(AuditEvent.For(taskId, clock.GetUtcNow().UtcDateTime, caller.OwnerId, AuditActions.Cancelled, "requested"));
        await db.SaveChangesAsync(cancellationToken);
        return await PublishAsync(new CancelTask(taskId), taskId, cancellationToken);
    }

    Task<Submission?> SubmittedWithKeyAsync(Caller caller, string key, CancellationToken cancellationToken) =>
        db.ResearchTasks.AsNoTracking().IgnoreAutoIncludes()
            .Where(t => t.OwnerId == caller.OwnerId && t.SubmissionKey == key)
            .Select(t => new Submission(t.CorrelationId, t.SubmissionHash))
            .FirstOrDefaultAsync(cancellationToken);

    static string Hash(SubmitTaskRequest request) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{request.Theme}\0{request.Budget}\0{request.VoiceId}")));

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
