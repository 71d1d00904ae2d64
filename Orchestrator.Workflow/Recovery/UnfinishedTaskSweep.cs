using Orchestrator.ServiceDefaults;

namespace Orchestrator.Workflow.Recovery;

/// <summary>
/// Never lose a task, never let one run forever. Unfinished tasks whose state stopped moving (a crash took the
/// message in flight) are sent <see cref="ResumeTask"/>, and the saga repeats the step it waits on; payments
/// repeat under the same idempotency key, so a resumed purchase is never charged twice. Tasks created longer
/// than <c>WORKFLOW_TIMEOUT</c> ago are sent <see cref="TaskDeadlinePassed"/> within <see cref="RecoveryOptions.DuePoll"/> of
/// that moment. Both are found in the database,
/// so they survive any restart; several Workers sweeping at once only repeat messages the saga ignores. Tasks
/// waiting on a step that failed for now are sent <see cref="DeferredStepDue"/> once its due time (<c>deferred_until</c>) has
/// passed: the durable backoff, kept in the database because this RabbitMQ has no delayed messages.
/// </summary>
public sealed partial class UnfinishedTaskSweep(
    IServiceScopeFactory scopes,
    IBus bus,
    IHostApplicationLifetime lifetime,
    IOptions<RecoveryOptions> options,
    IOptions<WorkflowOptions> workflow,
    TimeProvider clock,
    ILogger<UnfinishedTaskSweep> logger) : BackgroundService
{
    const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var startedAt = clock.GetUtcNow().UtcDateTime;
        if (!await lifetime.WaitForStartAsync(stoppingToken))
            return;

        var settings = options.Value;
        if (settings.ResumeAllOnStart)
        {
            await ReleaseStaleHoldsAsync(stoppingToken);
            await ResumeAsync(startedAt, stoppingToken);
        }

        var dueTimes = SendDueAsync(settings.DuePoll, stoppingToken);
        using var timer = new PeriodicTimer(settings.SweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await ResumeAsync(clock.GetUtcNow().UtcDateTime - settings.StallAfter, stoppingToken);
            await ForgetSecretsAsync(stoppingToken);
        }

        await dueTimes;
    }

    /// <summary>
    /// What falls due at a moment, read from the database at that moment (within <paramref name="interval"/>): the
    /// deadlines (<c>created_at</c> + <c>WORKFLOW_TIMEOUT</c>) and the deferred steps (<c>deferred_until</c>). Being
    /// read, not scheduled, they hold across restarts of every process.
    /// </summary>
    async Task SendDueAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = clock.GetUtcNow().UtcDateTime;
                var deadlineCreated = now - TimeSpan.FromSeconds(workflow.Value.WorkflowTimeout);
                await ExpireAsync(deadlineCreated, stoppingToken);
                await EndSettlingAsync(deadlineCreated - workflow.Value.SettleFor, stoppingToken);
                await SendDueDeferralsAsync(now, stoppingToken);
                await EndApprovalWaitsAsync(now, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Asks the unfinished tasks whose deferred step was due at <paramref name="now"/> to try it again.</summary>
    public Task<int> SendDueDeferralsAsync(DateTime now, CancellationToken cancellationToken) =>
        SweepAsync(
            tasks => tasks.Where(t => t.DeferredUntil != null && t.DeferredUntil <= now).OrderBy(t => t.DeferredUntil),
            taskId => new DeferredStepDue(taskId),
            cancellationToken,
            quiet: true);

    /// <summary>
    /// Clears the voice id and payment token of final tasks: a task that ended while its token was being stored
    /// may have kept one.
    /// </summary>
    public async Task<int> ForgetSecretsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            return await db.ResearchTasks
                .Where(t => TaskStates.Final.Contains(t.CurrentState) && (t.VoiceId != null || t.PaymentToken != null))
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.VoiceId, (string?)null).SetProperty(x => x.PaymentToken, (string?)null), cancellationToken);
        }
        // A broker or database outage can surface as a cancelled task too: only the host's stopping ends the sweep.
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogSweepFailed(ex);
            return 0;
        }
    }

    /// <summary>
    /// Gives back the payment leases and claims left by an earlier process: with <see cref="RecoveryOptions.ResumeAllOnStart"/>
    /// this process is the only one, so none of them can still be paying.
    /// </summary>
    public async Task ReleaseStaleHoldsAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            await db.ResearchTasks.Where(t => t.StepLeaseUntil != null)
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.StepLeaseUntil, (DateTime?)null), cancellationToken);
            await db.Set<ResearchTaskPurchase>().Where(p => p.PaymentClaimedUntil != null)
                .ExecuteUpdateAsync(p => p.SetProperty(x => x.PaymentClaimedUntil, (DateTime?)null), cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogSweepFailed(ex);
        }
    }

    /// <summary>
    /// Ends the unfinished tasks created (or approved) before <paramref name="createdBefore"/>, unless already stopping
    /// or waiting for a person: the time a plan waits for approval is not held against it.
    /// </summary>
    public Task<int> ExpireAsync(DateTime createdBefore, CancellationToken cancellationToken) =>
        SweepAsync(
            tasks => Started(tasks, createdBefore).Where(t => t.StopRequested == null),
            taskId => new TaskDeadlinePassed(taskId),
            cancellationToken);

    /// <summary>
    /// Ends the plans nobody decided on by their <c>approval_expires_at</c>, and tells the saga again of a decision the
    /// Api recorded whose message was lost (the task has not moved for <see cref="RecoveryOptions.StallAfter"/>).
    /// </summary>
    public async Task<int> EndApprovalWaitsAsync(DateTime now, CancellationToken cancellationToken)
    {
        var stalled = now - options.Value.StallAfter;
        return await SweepAsync(
                tasks => tasks.Where(t => t.CurrentState == TaskStates.AwaitingApproval && t.ApprovalDecision == null && t.ApprovalExpiresAt <= now).OrderBy(t => t.ApprovalExpiresAt),
                taskId => new TaskApprovalExpired(taskId),
                cancellationToken)
            + await SweepAsync(
                tasks => tasks.Where(t => t.CurrentState == TaskStates.AwaitingApproval && t.ApprovalDecision != null && t.UpdatedAt < stalled).OrderBy(t => t.UpdatedAt),
                taskId => new TaskApprovalDecided(taskId),
                cancellationToken);
    }

    static IQueryable<ResearchTaskState> Started(IQueryable<ResearchTaskState> tasks, DateTime before) =>
        tasks.Where(t => t.CurrentState != TaskStates.AwaitingApproval && (t.ApprovalDecidedAt ?? t.CreatedAt) < before).OrderBy(t => t.CreatedAt);

    /// <summary>
    /// Ends the tasks still settling a payment <c>Workflow:SettleFor</c> after their deadline (created before
    /// <paramref name="createdBefore"/>): whatever their steps keep answering, they hold nothing forever.
    /// </summary>
    public Task<int> EndSettlingAsync(DateTime createdBefore, CancellationToken cancellationToken) =>
        SweepAsync(
            tasks => Started(tasks, createdBefore),
            taskId => new TaskSettlementExpired(taskId),
            cancellationToken);

    /// <summary>
    /// Resumes the started, unfinished tasks whose state has not changed since <paramref name="updatedBefore"/>; not
    /// those waiting for a deferred step's due time, which <see cref="SendDueDeferralsAsync"/> looks after, nor those waiting
    /// to start (<c>Submitted</c>), which admission starts when a slot is free, nor those waiting for a person
    /// (<c>AwaitingApproval</c>: <see cref="EndApprovalWaitsAsync"/>), nor those whose payment step still
    /// holds its lease (<see cref="ResearchTaskState.StepLeaseUntil"/>): it is slow, not lost.
    /// </summary>
    public Task<int> ResumeAsync(DateTime updatedBefore, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return SweepAsync(
            tasks => tasks
                .Where(t => t.UpdatedAt < updatedBefore && t.DeferredUntil == null && t.CurrentState != TaskStates.Submitted)
                .Where(t => t.CurrentState != TaskStates.AwaitingApproval)
                .Where(t => t.StepLeaseUntil == null || t.StepLeaseUntil < now)
                .OrderBy(t => t.UpdatedAt),
            taskId => new ResumeTask(taskId),
            cancellationToken);
    }

    async Task<int> SweepAsync<TMessage>(
        Func<IQueryable<ResearchTaskState>, IQueryable<ResearchTaskState>> select,
        Func<Guid, TMessage> message,
        CancellationToken cancellationToken,
        bool quiet = false)
        where TMessage : class
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<OrchestratorDbContext>();
            var unfinished = db.UntrackedTasks
                .Where(t => !TaskStates.Final.Contains(t.CurrentState));
            var found = await select(unfinished)
                .Select(t => t.CorrelationId)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);

            foreach (var taskId in found)
                await bus.Publish(message(taskId), cancellationToken);
            if (found.Count > 0 && !quiet)
                LogSent(found.Count, typeof(TMessage).Name);
            return found.Count;
        }
        // A broker or database outage can surface as a cancelled task too: only the host's stopping ends the sweep.
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogSweepFailed(ex);
            return 0;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Sent {Message} to {Count} unfinished tasks")]
    partial void LogSent(int count, string message);

    [LoggerMessage(LogLevel.Error, "Looking for unfinished tasks failed; the next sweep tries again")]
    partial void LogSweepFailed(Exception exception);
}
