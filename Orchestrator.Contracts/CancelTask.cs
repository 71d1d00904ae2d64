namespace Orchestrator.Contracts;

/// <summary>
/// Stop a task: it ends <c>Cancelled</c> at once, or as soon as the payment in flight is settled; no payment
/// starts after the cancellation is recorded.
/// </summary>
public sealed record CancelTask(Guid TaskId);

/// <summary>
/// The task was not final <c>WORKFLOW_TIMEOUT</c> after it was created: it ends <c>Failed</c> with a
/// <c>WorkflowError</c>, at once or as soon as the payment in flight is settled.
/// </summary>
public sealed record TaskDeadlinePassed(Guid TaskId);

/// <summary>
/// The task was still settling a payment <c>Workflow:SettleFor</c> after its deadline: it ends <c>Failed</c>
/// (<c>PaymentError</c>, "payment outcome unknown") at once, its unsettled purchases left unconfirmed for a person to
/// reconcile.
/// </summary>
public sealed record TaskSettlementExpired(Guid TaskId);
