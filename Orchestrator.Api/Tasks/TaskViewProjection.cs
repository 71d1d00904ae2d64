using System.Linq.Expressions;

namespace Orchestrator.Api.Tasks;

/// <summary>
/// What <c>GET /tasks/{id}</c> reads: the columns <see cref="TaskView"/> shows and the plan's rows without the
/// bought items' <c>data</c> (the largest column, which the view never shows). Clients poll this route while
/// a task runs, so it reads no more than it answers with, in one query, untracked.
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
}
