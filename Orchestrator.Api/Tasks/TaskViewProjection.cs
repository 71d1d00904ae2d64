using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Security;

namespace Orchestrator.Api.Tasks;

/// <summary>
/// What <c>GET /tasks/{id}</c> reads: the columns <see cref="TaskView"/> shows and the plan's rows without the
/// bought items' <c>data</c> (the largest column, which the view never shows). Clients poll this route while
/// a task runs, so it reads no more than it answers with, in one query, untracked, compiled once (the projection is
/// a large expression, which EF Core would otherwise walk and look up in its query cache on every request).
/// </summary>
public static class TaskViewProjection
{
    public static readonly Expression<Func<ResearchTaskState, ResearchTaskState>> Shown = t => new ResearchTaskState
    {
        CorrelationId = t.CorrelationId,
        CurrentState = t.CurrentState,
        Theme = t.Theme,
        Budget = t.Budget,
        Spent = t.Spent,
        CreatedAt = t.CreatedAt,
        UpdatedAt = t.UpdatedAt,
        CompletedAt = t.CompletedAt,
        ReportMarkdown = t.ReportMarkdown,
        ErrorType = t.ErrorType,
        ErrorMessage = t.ErrorMessage,
        TraceId = t.TraceId,
        ApprovalThreshold = t.ApprovalThreshold,
        ApprovalExpiresAt = t.ApprovalExpiresAt,
        ApprovalDecision = t.ApprovalDecision,
        ApprovalDecidedBy = t.ApprovalDecidedBy,
        Purchases = t.Purchases.Select(p => new ResearchTaskPurchase
        {
            TaskId = p.TaskId,
            ItemId = p.ItemId,
            Title = p.Title,
            Price = p.Price,
            Score = p.Score,
            Status = p.Status,
            SkipReason = p.SkipReason,
            ReusedFrom = p.ReusedFrom,
            PaymentReference = p.PaymentReference,
            PaymentNetwork = p.PaymentNetwork,
            Payer = p.Payer,
        }).ToList(),
    };

    static readonly CompiledPerModel<Func<OrchestratorDbContext, Guid, string, bool, CancellationToken, Task<ResearchTaskState?>>> Compiled = new(() =>
        EF.CompileAsyncQuery((OrchestratorDbContext db, Guid id, string ownerId, bool isAdmin, CancellationToken _) =>
            db.UntrackedTasks
                .Where(t => t.CorrelationId == id && (isAdmin || t.OwnerId == ownerId))
                .Select(Shown)
                .FirstOrDefault()));

    /// <summary>The task as shown, when the caller may see it (its owner, or an admin); null otherwise.</summary>
    public static Task<ResearchTaskState?> FindAsync(OrchestratorDbContext db, Guid id, Caller caller, CancellationToken cancellationToken) =>
        Compiled.For(db)(db, id, caller.OwnerId, caller.IsAdmin, cancellationToken);
}
