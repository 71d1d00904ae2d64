using Orchestrator.Worker.Hosting;

namespace Orchestrator.Worker.Payments;

/// <summary>
/// One payer per purchase at a time, and a payment step the sweep can see. Before its <c>POST /pay</c> a payer
/// claims the purchase's row with a conditional update, for as long as one call may take
/// (<see cref="WorkflowOptions.LongestCall"/>), and gives it back once the call has answered; a payer that crashed
/// leaves its claim to expire. The step also holds a lease on the task (<see cref="ResearchTaskState.StepLeaseUntil"/>)
/// that the stalled-task sweep respects, so a slow step is not delivered a second time while it still pays.
/// </summary>
public sealed class PaymentClaims(OrchestratorDbContext db, IOptions<WorkflowOptions> workflow, TimeProvider clock)
{
    /// <summary>Marks the task's payment step as running for as long as <paramref name="calls"/> payments may take.</summary>
    public Task HoldStepAsync(Guid taskId, int calls, CancellationToken cancellationToken)
    {
        var until = Until(calls);
        return db.ResearchTasks.Where(t => t.CorrelationId == taskId)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.StepLeaseUntil, until), cancellationToken);
    }

    /// <summary>The step is over: the sweep may resume the task again once it stalls.</summary>
    public Task EndStepAsync(Guid taskId, CancellationToken cancellationToken) =>
        db.ResearchTasks.Where(t => t.CorrelationId == taskId)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.StepLeaseUntil, (DateTime?)null), cancellationToken);

    /// <summary>The claim's expiry when this payer holds the purchase now; null when another payer does.</summary>
    public async Task<DateTime?> TryClaimAsync(Guid taskId, int itemId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = Until();
        var claimed = await db.Set<ResearchTaskPurchase>()
            .Where(p => p.TaskId == taskId && p.ItemId == itemId && (p.PaymentClaimedUntil == null || p.PaymentClaimedUntil < now))
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.PaymentClaimedUntil, until), cancellationToken);
        return claimed == 1 ? until : null;
    }

    /// <summary>Gives back a claim this payer holds (<paramref name="until"/> identifies it), once its call answered.</summary>
    public Task ReleaseAsync(Guid taskId, int itemId, DateTime until, CancellationToken cancellationToken) =>
        db.Set<ResearchTaskPurchase>()
            .Where(p => p.TaskId == taskId && p.ItemId == itemId && p.PaymentClaimedUntil == until)
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.PaymentClaimedUntil, (DateTime?)null), cancellationToken);

    // Whole milliseconds: every provider stores them exactly, so a payer finds its own claim again.
    DateTime Until(int calls = 1)
    {
        var until = clock.GetUtcNow().UtcDateTime + workflow.Value.LongestCall * calls + TimeSpan.FromSeconds(5);
        return until.AddTicks(-(until.Ticks % TimeSpan.TicksPerMillisecond));
    }
}
