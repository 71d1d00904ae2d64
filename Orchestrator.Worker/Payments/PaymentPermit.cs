using Microsoft.EntityFrameworkCore;
using Orchestrator.Contracts;
using Orchestrator.Sagas.Persistence;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Worker.Payments;

/// <summary>
/// The last check before money moves, against the task as recorded: it is still paying, no cancellation or
/// timeout was recorded, it holds a payment token, and this payment keeps what it spent within its budget.
/// A permitted payment is written to the audit trail as attempted before it is made.
/// </summary>
public sealed class PaymentPermit(OrchestratorDbContext db, TimeProvider clock)
{
    public readonly record struct Decision(string? Token, string? Refusal);

    public async Task<Decision> CheckAsync(PayForItem payment, CancellationToken cancellationToken)
    {
        var task = await db.ResearchTasks.AsNoTracking().IgnoreAutoIncludes()
            .Where(t => t.CorrelationId == payment.TaskId)
            .Select(t => new { t.CurrentState, t.StopRequested, t.Spent, t.Budget, t.PaymentToken })
            .FirstOrDefaultAsync(cancellationToken);
        var refusal = task switch
        {
            null => "the task is not recorded",
            { StopRequested: { } stop } => $"the task is stopping ({stop})",
            _ when ResearchTaskState.IsFinal(task.CurrentState) => $"the task is {task.CurrentState}",
            { PaymentToken: null } => "the task holds no payment token",
            _ when payment.Amount <= 0 || payment.Amount > task.Budget - task.Spent =>
                $"{payment.Amount} more would exceed the budget of {task.Budget} ({task.Spent} spent)",
            _ => null,
        };
        if (refusal is not null)
            return new Decision(null, refusal);

        db.AuditEvents.Add(new AuditEvent
        {
            TaskId = payment.TaskId,
            At = clock.GetUtcNow().UtcDateTime,
            Actor = AuditEvent.SystemActor,
            Action = AuditActions.PaymentAttempted,
            ItemId = payment.ItemId,
            Amount = payment.Amount,
            IdempotencyKey = payment.IdempotencyKey,
            Outcome = "sent to the marketplace",
        });
        await db.SaveChangesAsync(cancellationToken);
        return new Decision(task!.PaymentToken, null);
    }
}
