namespace Orchestrator.Api.Tasks;

public sealed record SubmitTaskResponse(string TaskId);

/// <summary>The seed's error response format.</summary>
public sealed record TaskError(string Error, string Message, string TaskId, DateTimeOffset Timestamp);

/// <summary>
/// One candidate source of the task's purchase plan: <c>status</c> is its purchase status; <c>reason</c> why a skipped
/// one was; <c>reused_from</c> the owner's earlier task whose purchase a <c>Reused</c> one is read from;
/// <c>receipt</c> what the seller returned for its payment.
/// </summary>
public sealed record PlanItem(int Item, string Title, long Price, double Score, string Status, string? Reason, Guid? ReusedFrom = null, PaymentReceipt? Receipt = null);

/// <summary>
/// What a seller returned for a payment: <c>reference</c> is the seed dialect's charge id, or an x402 settlement's
/// transaction, then on <c>network</c> (CAIP-2) from <c>payer</c>.
/// </summary>
public sealed record PaymentReceipt(string Reference, string? Network, string? Payer)
{
    public static PaymentReceipt? Of(ResearchTaskPurchase purchase) =>
        purchase.PaymentReference is { } reference ? new PaymentReceipt(reference, purchase.PaymentNetwork, purchase.Payer) : null;
}

/// <summary>
/// The plan's total was above the approval threshold: it waits for <c>POST /tasks/{id}/approve</c> or <c>/reject</c>
/// until <c>expires_at</c>; <c>decision</c> and <c>decided_by</c> once someone decided.
/// </summary>
public sealed record ApprovalView(long Total, long Threshold, DateTimeOffset ExpiresAt, string? Decision, string? DecidedBy);

public sealed record TaskView(
    string TaskId,
    string Status,
    string Theme,
    long Budget,
    long Spent,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? Report,
    TaskError? Error,
    IReadOnlyList<PlanItem> Plan,
    string? TraceId,
    ApprovalView? Approval = null)
{
    /// <summary>What a plan that waited for approval was to pay: every purchase started or planned, not the reused ones.</summary>
    static readonly PurchaseStatus[] Bought = [PurchaseStatus.Planned, PurchaseStatus.Paying, PurchaseStatus.Unconfirmed, PurchaseStatus.Paid, PurchaseStatus.Fetched];

    public static TaskView From(ResearchTaskState task) => new(
        task.CorrelationId.ToString(),
        task.CurrentState,
        task.Theme,
        task.Budget,
        task.Spent,
        Utc(task.CreatedAt),
        Utc(task.UpdatedAt),
        task.ReportMarkdown,
        task.ErrorType is null
            ? null
            : new TaskError(task.ErrorType, task.ErrorMessage ?? "", task.CorrelationId.ToString(), Utc(task.CompletedAt ?? task.UpdatedAt)),
        [.. task.Purchases
            .OrderByDescending(p => p.Score).ThenBy(p => p.ItemId)
            .Select(p => new PlanItem(p.ItemId, p.Title, p.Price, p.Score, p.Status.ToString(), p.SkipReason, p.ReusedFrom, PaymentReceipt.Of(p)))],
        task.TraceId,
        task is { ApprovalThreshold: { } threshold, ApprovalExpiresAt: { } expiresAt }
            ? new ApprovalView(task.Purchases.Where(p => Bought.Contains(p.Status)).Sum(p => p.Price), threshold, Utc(expiresAt),
                task.ApprovalDecision?.ToString(), task.ApprovalDecidedBy)
            : null);

    static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}

/// <summary>One task of a list: what a dashboard shows in a row.</summary>
public sealed record TaskSummary(Guid TaskId, string Status, string Theme, long Budget, long Spent, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? ErrorType)
{
    public static readonly System.Linq.Expressions.Expression<Func<ResearchTaskState, TaskSummary>> Projection = t => new TaskSummary(
        t.CorrelationId, t.CurrentState, t.Theme, t.Budget, t.Spent,
        new DateTimeOffset(DateTime.SpecifyKind(t.CreatedAt, DateTimeKind.Utc)),
        new DateTimeOffset(DateTime.SpecifyKind(t.UpdatedAt, DateTimeKind.Utc)),
        t.ErrorType);
}

/// <summary>A page of the caller's tasks, newest first; <see cref="Next"/> is the <c>after</c> of the next page, if any.</summary>
public sealed record TaskPage(IReadOnlyList<TaskSummary> Tasks, Guid? Next)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    /// <summary>Not a state: the tasks that ended with a payment whose outcome is unknown, for a person to reconcile.</summary>
    public const string Unconfirmed = nameof(PurchaseStatus.Unconfirmed);

    public static readonly string[] States =
    [
        .. TaskStates.Unfinished,
        .. TaskStates.Final,
    ];

    /// <summary>What <c>status</c> may filter by: a state, or <see cref="Unconfirmed"/>.</summary>
    public static readonly string[] Filters = [.. States, Unconfirmed];
}

/// <summary>One audit event: <c>actor</c> is the owner (or admin) for what they asked, <c>system</c> for the rest.</summary>
/// <summary>
/// <c>GET /tasks/{id}/audit</c> pages with <c>limit</c> and <c>after</c> like the list, but still answers a bare array
/// (what it answered before it paged): the next page's address is in the <c>Link</c> header.
/// </summary>
public static class AuditPage
{
    /// <summary>Every task's trail as the workflow writes it (a few entries per source) fits the default page.</summary>
    public const int DefaultLimit = 100;
    public const int MaxLimit = 100;
}

public sealed record AuditEntry(DateTimeOffset At, string Actor, string Action, int? Item, long? Amount, string? IdempotencyKey, string? Outcome)
{
    public static readonly System.Linq.Expressions.Expression<Func<AuditEvent, AuditEntry>> Projection = e => new AuditEntry(
        new DateTimeOffset(DateTime.SpecifyKind(e.At, DateTimeKind.Utc)), e.Actor, e.Action, e.ItemId, e.Amount, e.IdempotencyKey, e.Outcome);
}
