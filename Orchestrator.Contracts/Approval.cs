namespace Orchestrator.Contracts;

/// <summary>
/// The owner (or an admin) approved or rejected the task's plan: the decision and who made it are recorded with the
/// task (one conditional write) before this is published, so the saga reads them there.
/// </summary>
public sealed record TaskApprovalDecided(Guid TaskId);

/// <summary>Nobody decided on the task's plan within <c>Approval:Timeout</c>: it ends <c>Cancelled</c>, "approval timed out".</summary>
public sealed record TaskApprovalExpired(Guid TaskId);
