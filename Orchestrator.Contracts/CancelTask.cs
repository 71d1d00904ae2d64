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
