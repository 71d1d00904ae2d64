using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Api.Progress;

/// <summary>
/// One stream's view of its task's rows. Each read fetches only the history and audit rows added since the last
/// one (both are append-only, and one task's steps commit one after another), the purchases once they exist, and
/// the task's row only when it has ended: a change costs a stream two small indexed queries. Of the task and its
/// purchases it reads only the columns the events show: never the report, the secrets or the items' data.
/// </summary>
public sealed class TaskProgressReader(Guid taskId)
{
    readonly List<ResearchTaskTransition> _transitions = [];
    readonly List<AuditEvent> _audit = [];
    ResearchTaskState? _task;

    public async Task<IReadOnlyList<ProgressEvent>> ReadAsync(OrchestratorDbContext db, CancellationToken cancellationToken)
    {
        // The history first, then the audit trail: a step commits both together, so the trail read second holds at
        // least the entries of every step in the history read first.
        var lastTransition = _transitions.Count > 0 ? _transitions[^1].Id : 0;
        _transitions.AddRange(await db.Transitions.AsNoTracking()
            .Where(t => t.TaskId == taskId && t.Id > lastTransition).OrderBy(t => t.Id).ToListAsync(cancellationToken));
        var lastAudit = _audit.Count > 0 ? _audit[^1].Id : 0;
        _audit.AddRange(await db.AuditEvents.AsNoTracking()
            .Where(a => a.TaskId == taskId && a.Id > lastAudit).OrderBy(a => a.Id).ToListAsync(cancellationToken));

        var ended = _transitions.Count > 0 && ResearchTaskState.IsFinal(_transitions[^1].ToState);
        var discovered = _transitions.Exists(t => t.Event == nameof(ResearchTaskStateMachine.SourcesDiscovered));
        if (_task is null || ended || (discovered && _task.Purchases.Count == 0))
        {
            // With its purchases: the quotes and the plan, and the titles; the approval the plan asked for is written
            // in the same step as the purchases, so it is here whenever they are.
            _task = await db.UntrackedTasks
                .Where(t => t.CorrelationId == taskId)
                .Select(t => new ResearchTaskState
                {
                    CorrelationId = t.CorrelationId,
                    CurrentState = t.CurrentState,
                    Budget = t.Budget,
                    Spent = t.Spent,
                    ErrorType = t.ErrorType,
                    ErrorMessage = t.ErrorMessage,
                    ApprovalThreshold = t.ApprovalThreshold,
                    ApprovalExpiresAt = t.ApprovalExpiresAt,
                    Purchases = t.Purchases
                        .Select(p => new ResearchTaskPurchase { TaskId = p.TaskId, ItemId = p.ItemId, Title = p.Title, Price = p.Price, Score = p.Score, Status = p.Status, ReusedFrom = p.ReusedFrom, PaymentReference = p.PaymentReference, PaymentNetwork = p.PaymentNetwork, Payer = p.Payer })
                        .ToList(),
                })
                .FirstAsync(cancellationToken);
        }

        return TaskProgressLog.Build(_task, _transitions, _audit);
    }
}
