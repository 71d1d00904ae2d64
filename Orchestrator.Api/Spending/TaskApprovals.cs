using MassTransit;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Security;
using Orchestrator.Contracts;

namespace Orchestrator.Api.Spending;

/// <summary>
/// Records a person's decision on a plan waiting for approval, then tells the saga. The decision is one conditional
/// write (the task still waits and nobody decided), which also raises the saga's version: a timeout being decided at
/// the same moment loses its race and is decided again, so exactly one of them wins and the audit trail says which.
/// A decision whose message is lost is told again by the hosts' sweep.
/// </summary>
public sealed partial class TaskApprovals(OrchestratorDbContext db, IPublishEndpoint publishEndpoint, TimeProvider clock, ILogger<TaskApprovals> logger)
{
    static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// False when the task no longer waits for a decision (decided, cancelled, or past its <c>approval_expires_at</c>,
    /// also before the sweep has ended the wait: a late decision never wins over the timeout).
    /// </summary>
    public async Task<bool> DecideAsync(Guid taskId, ApprovalDecision decision, Caller caller, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var decided = await db.ResearchTasks
            .Where(t => t.CorrelationId == taskId && t.CurrentState == TaskStates.AwaitingApproval && t.ApprovalDecision == null && t.ApprovalExpiresAt > now)
            .ExecuteUpdateAsync(t => t
                .SetProperty(x => x.ApprovalDecision, decision)
                .SetProperty(x => x.ApprovalDecidedBy, caller.OwnerId)
                .SetProperty(x => x.ApprovalDecidedAt, now)
                .SetProperty(x => x.UpdatedAt, now)
                .SetProperty(x => x.Version, x => x.Version + 1), cancellationToken);
        if (decided == 0)
            return false;

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(PublishTimeout);
            await publishEndpoint.Publish(new TaskApprovalDecided(taskId), timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Recorded: the sweep tells the saga within Recovery:StallAfter.
            LogNotPublished(logger, e, taskId);
        }

        return true;
    }

    [LoggerMessage(LogLevel.Warning, "The approval decision on task {TaskId} is recorded but the bus did not take it now; the sweep sends it again")]
    static partial void LogNotPublished(ILogger logger, Exception exception, Guid taskId);
}
