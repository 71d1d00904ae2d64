using MassTransit;
using Orchestrator.Contracts;
using Orchestrator.Sagas.ResearchTasks;

namespace Orchestrator.Worker.Payments;

/// <summary>
/// The last check before money moves, against the task as recorded: it is still paying, no cancellation or
/// timeout was recorded, and this payment keeps what it spent within its budget.
/// </summary>
public sealed class PaymentPermit(ILoadSagaRepository<ResearchTaskState> tasks)
{
    public async Task<string?> RefusalAsync(PayForItem payment, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var task = await tasks.Load(payment.TaskId);
        return task switch
        {
            null => "the task is not recorded",
            { StopRequested: { } stop } => $"the task is stopping ({stop})",
            _ when ResearchTaskState.IsFinal(task.CurrentState) => $"the task is {task.CurrentState}",
            _ when task.Spent + payment.Amount > task.Budget => $"{payment.Amount} more would exceed the budget of {task.Budget} ({task.Spent} spent)",
            _ => null,
        };
    }
}
