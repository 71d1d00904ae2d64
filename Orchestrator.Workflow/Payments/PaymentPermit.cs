namespace Orchestrator.Workflow.Payments;

/// <summary>
/// The last check before money moves, against the task as recorded, made again before every payment of a step:
/// it is not ending, no cancellation or timeout was recorded, it holds a payment token, and this payment keeps what
/// it spent (with what this step paid or may have paid so far) within its budget. It only reads: the saga wrote each
/// payment to the audit trail as ordered before the step began, and the step's claims (<see cref="PaymentClaims"/>)
/// were written before its first payment.
/// </summary>
public sealed class PaymentPermit(OrchestratorDbContext db)
{
    public readonly record struct Decision(string? Token, string? Refusal);

    /// <summary>What the permit reads of a task.</summary>
    public sealed record RecordedTask(string CurrentState, StopReason? StopRequested, long Spent, long Budget, string? PaymentToken);

    public Task<RecordedTask?> ReadAsync(Guid taskId, CancellationToken cancellationToken) =>
        db.UntrackedTasks
            .Where(t => t.CorrelationId == taskId)
            .Select(t => new RecordedTask(t.CurrentState, t.StopRequested, t.Spent, t.Budget, t.PaymentToken))
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>The token to pay with, or why this payment may not be made.</summary>
    public static Decision Check(RecordedTask? task, ItemPayment payment, long committedThisStep)
    {
        var refusal = task switch
        {
            null => "the task is not recorded",
            { StopRequested: { } stop } => $"the task is stopping ({stop})",
            _ when ResearchTaskState.IsFinal(task.CurrentState) => $"the task is {task.CurrentState}",
            { PaymentToken: null } => "the task holds no payment token",
            _ when payment.Amount <= 0 || payment.Amount > checked(task.Budget - task.Spent - committedThisStep) =>
                $"{payment.Amount} more would exceed the budget of {task.Budget} ({checked(task.Spent + committedThisStep)} spent)",
            _ => null,
        };
        return new Decision(refusal is null ? task!.PaymentToken : null, refusal);
    }
}
