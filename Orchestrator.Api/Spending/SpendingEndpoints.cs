using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.ApiDescription;
using Orchestrator.Api.Security;
using Orchestrator.Api.Tasks;

namespace Orchestrator.Api.Spending;

/// <summary>
/// The spending controls' routes: a plan's approval or rejection, a task's receipts, and the caller's day under the
/// daily limit. Task routes answer 404 for a task the caller may not see, as the others do.
/// </summary>
public static class SpendingEndpoints
{
    const string NotAwaitingMeaning = "The task is not awaiting approval (decided already, timed out, cancelled, or never asked)";

    /// <summary>The approval decisions' service (the settings are the workflow's: <c>AddSpendingControls</c>).</summary>
    public static IHostApplicationBuilder AddSpendingApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TaskApprovals>();
        return builder;
    }

    public static IEndpointRouteBuilder MapSpendingEndpoints(this IEndpointRouteBuilder app)
    {
        var tasks = app.MapGroup("/tasks").WithTags(ServiceDescription.TasksTag);
        tasks.MapPost("/{taskId}/approve", Approve)
            .WithName("approveTask")
            .WithSummary("Approve the plan of a task awaiting approval: it goes on to pay")
            .WithDescription("Only the task's owner or an admin. The decision is recorded before the answer; a second decision answers 409.")
            .Describes(
                (StatusCodes.Status202Accepted, "The approval is recorded; the task as it was"),
                (StatusCodes.Status404NotFound, TaskEndpoints.NotFoundMeaning),
                (StatusCodes.Status409Conflict, NotAwaitingMeaning));
        tasks.MapPost("/{taskId}/reject", Reject)
            .WithName("rejectTask")
            .WithSummary("Reject the plan of a task awaiting approval: it ends Cancelled, nothing paid")
            .WithDescription("Only the task's owner or an admin. The task's error then says who rejected it.")
            .Describes(
                (StatusCodes.Status202Accepted, "The rejection is recorded; the task as it was"),
                (StatusCodes.Status404NotFound, TaskEndpoints.NotFoundMeaning),
                (StatusCodes.Status409Conflict, NotAwaitingMeaning));
        tasks.MapGet("/{taskId}/receipts", GetReceipts)
            .WithName("getTaskReceipts")
            .WithSummary("A receipt for every item the task paid for or reused")
            .WithDescription("`reference` is what the seller returned for the payment (an x402 settlement's transaction, then with its `network` and `payer`); `data_sha256` the digest of the bytes delivered; `reused_from` the owner's earlier task an item was reused from (amount 0).")
            .Describes((StatusCodes.Status404NotFound, TaskEndpoints.NotFoundMeaning));

        app.MapGet("/spending", GetSpending)
            .WithTags(ServiceDescription.TasksTag)
            .WithName("getSpending")
            .WithSummary("The caller's spending today (UTC) under the daily limit per owner")
            .WithDescription("`held`: what the plans of unfinished tasks may still spend; `spent`: what ended tasks spent. `limit` and `remaining` are null when no daily limit is set.");
        return app;
    }

    static Task<Results<Accepted<TaskView>, NotFound<DetailResponse>, Conflict<DetailResponse>>> Approve(
        string taskId, Caller caller, OrchestratorDbContext db, TaskApprovals approvals, CancellationToken cancellationToken) =>
        DecideAsync(taskId, ApprovalDecision.Approved, caller, db, approvals, cancellationToken);

    static Task<Results<Accepted<TaskView>, NotFound<DetailResponse>, Conflict<DetailResponse>>> Reject(
        string taskId, Caller caller, OrchestratorDbContext db, TaskApprovals approvals, CancellationToken cancellationToken) =>
        DecideAsync(taskId, ApprovalDecision.Rejected, caller, db, approvals, cancellationToken);

    static async Task<Results<Accepted<TaskView>, NotFound<DetailResponse>, Conflict<DetailResponse>>> DecideAsync(
        string taskId, ApprovalDecision decision, Caller caller, OrchestratorDbContext db, TaskApprovals approvals, CancellationToken cancellationToken)
    {
        var task = await ShownAsync(db, taskId, caller, cancellationToken);
        if (task is null)
            return TypedResults.NotFound(new DetailResponse("Task not found"));
        if (task.CurrentState != TaskStates.AwaitingApproval || task.ApprovalDecision is not null
            || !await approvals.DecideAsync(task.CorrelationId, decision, caller, cancellationToken))
        {
            var now = await ShownAsync(db, taskId, caller, cancellationToken) ?? task;
            return TypedResults.Conflict(new DetailResponse(now.ApprovalDecision is { } made
                ? $"The task's plan was {made.ToString().ToLowerInvariant()} already, by {now.ApprovalDecidedBy}"
                : now.CurrentState == TaskStates.AwaitingApproval && now.ApprovalExpiresAt is { } expiresAt
                    ? $"The task's plan waited for approval until {expiresAt:u}: it timed out"
                    : $"The task is not awaiting approval: it is {now.CurrentState}"));
        }

        return TypedResults.Accepted($"/tasks/{task.CorrelationId}", TaskView.From(task));
    }

    static async Task<Results<Ok<IReadOnlyList<Receipt>>, NotFound<DetailResponse>>> GetReceipts(
        string taskId, Caller caller, OrchestratorDbContext db, CancellationToken cancellationToken)
    {
        var found = Guid.TryParse(taskId, out var id)
            && await db.UntrackedTasks.VisibleTo(caller).AnyAsync(t => t.CorrelationId == id, cancellationToken);
        if (!found)
            return TypedResults.NotFound(new DetailResponse("Task not found"));

        var receipts = await db.Set<ResearchTaskPurchase>().AsNoTracking()
            .Where(p => p.TaskId == id && Receipt.Kept.Contains(p.Status))
            .OrderBy(p => p.PaidAt).ThenBy(p => p.ItemId)
            .Select(Receipt.Projection)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<Receipt>>(receipts);
    }

    static async Task<Ok<SpendingDayView>> GetSpending(
        Caller caller, OrchestratorDbContext db, IOptions<SpendingOptions> spending, TimeProvider clock, CancellationToken cancellationToken)
    {
        var day = OwnerSpendingDay.Of(clock.GetUtcNow().UtcDateTime);
        var row = await db.Set<OwnerSpendingDay>().AsNoTracking()
            .Where(d => d.OwnerId == caller.OwnerId && d.Day == day)
            .FirstOrDefaultAsync(cancellationToken);
        var (held, spent) = (row?.Held ?? 0, row?.Spent ?? 0);
        var limit = spending.Value.DailyLimitPerOwner;
        return TypedResults.Ok(new SpendingDayView(DateOnly.FromDateTime(day), limit, held, spent, limit is { } l ? Math.Max(0, l - held - spent) : null));
    }

    static Task<ResearchTaskState?> ShownAsync(OrchestratorDbContext db, string taskId, Caller caller, CancellationToken cancellationToken) =>
        Guid.TryParse(taskId, out var id)
            ? db.UntrackedTasks.VisibleTo(caller)
                .Where(t => t.CorrelationId == id).Select(TaskViewProjection.Shown).FirstOrDefaultAsync(cancellationToken)
            : Task.FromResult<ResearchTaskState?>(null);
}

/// <summary>One payment of a task, or one item it reused (amount 0, <c>reused_from</c> the task that paid).</summary>
public sealed record Receipt(
    int Item,
    string Title,
    long Amount,
    DateTimeOffset? PaidAt,
    string IdempotencyKey,
    string? Reference,
    string? DataSha256,
    Guid? ReusedFrom,
    string? Network = null,
    string? Payer = null)
{
    public static readonly PurchaseStatus[] Kept = [PurchaseStatus.Paid, PurchaseStatus.Fetched, PurchaseStatus.Reused];

    public static readonly System.Linq.Expressions.Expression<Func<ResearchTaskPurchase, Receipt>> Projection = p => new Receipt(
        p.ItemId,
        p.Title,
        p.ReusedFrom == null ? p.Price : 0,
        p.PaidAt == null ? null : new DateTimeOffset(DateTime.SpecifyKind(p.PaidAt.Value, DateTimeKind.Utc)),
        // A reused item was paid under the key of the purchase it is read from.
        p.ReusedFrom == null ? p.IdempotencyKey : p.ReusedFrom.Value.ToString("N") + "-" + p.ItemId,
        p.PaymentReference,
        p.DataSha256,
        p.ReusedFrom,
        p.PaymentNetwork,
        p.Payer);
}

/// <summary>The caller's UTC day: <c>remaining</c> = <c>limit</c> − <c>held</c> − <c>spent</c>.</summary>
public sealed record SpendingDayView(DateOnly Day, long? Limit, long Held, long Spent, long? Remaining);
