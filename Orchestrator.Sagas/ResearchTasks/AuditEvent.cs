namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>
/// One entry of a task's audit trail (<c>audit_events</c>): appended when it happens, never updated or deleted
/// by the service. <see cref="Actor"/> is the task's owner for what they asked, <c>system</c> for the rest.
/// </summary>
public class AuditEvent
{
    public const string SystemActor = "system";

    public long Id { get; set; }
    public Guid TaskId { get; set; }
    public DateTime At { get; set; }
    public string Actor { get; set; } = null!;

    /// <summary>One of <see cref="AuditActions"/>.</summary>
    public string Action { get; set; } = null!;
    public int? ItemId { get; set; }
    public long? Amount { get; set; }
    public string? IdempotencyKey { get; set; }
    public string? Outcome { get; set; }

    public const int MaxOutcomeLength = 500;

    public static AuditEvent For(Guid taskId, DateTime at, string actor, string action, string? outcome = null, ResearchTaskPurchase? purchase = null) => new()
    {
        TaskId = taskId,
        At = at,
        Actor = actor,
        Action = action,
        ItemId = purchase?.ItemId,
        Amount = purchase?.Price,
        IdempotencyKey = purchase?.IdempotencyKey,
        Outcome = outcome is { Length: > MaxOutcomeLength } ? outcome[..(MaxOutcomeLength - 1)] + "…" : outcome,
    };
}

public static class AuditActions
{
    public const string Submitted = "submitted";
    public const string Cancelled = "cancelled";
    public const string TokenRequested = "token_requested";
    public const string PaymentAttempted = "payment_attempted";
    public const string PaymentSettled = "payment_settled";
    public const string PaymentUnconfirmed = "payment_unconfirmed";
    public const string PaymentRefused = "payment_refused";
    public const string SettlementAbandoned = "settlement_abandoned";
    /// <summary>An item's paid data fetched (or found unpaid). Stored as <c>item_read</c> since the first audit rows: see docs/architecture.md.</summary>
    public const string ItemFetched = "item_read";
    public const string Failed = "failed";
    public const string Completed = "completed";
    public const string ApprovalRequested = "approval_requested";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string ApprovalTimedOut = "approval_timed_out";
    public const string Reused = "purchase_reused";
}
