using MassTransit;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>
/// Makes a task's plan from what discovery found, in the saga's own transaction: under a daily limit with its owner's
/// day locked, so that plans made at the same moment see each other's holds; reused items audited; approval asked when
/// the plan's total is above the threshold.
/// </summary>
public sealed class PlanPurchases(
    IOwnerSpendingDays days,
    IOptions<SpendingOptions> spending,
    IOptions<ApprovalOptions> approval,
    TimeProvider clock) : IStateMachineActivity<ResearchTaskState, SourcesDiscovered>
{
    public async Task Execute(BehaviorContext<ResearchTaskState, SourcesDiscovered> context, IBehavior<ResearchTaskState, SourcesDiscovered> next)
    {
        var (task, found) = (context.Saga, context.Message);
        var now = clock.GetUtcNow().UtcDateTime;
        if (spending.Value.DailyLimitPerOwner is { } limit)
        {
            var day = await days.LockAsync(task.OwnerId, OwnerSpendingDay.Of(now), context.CancellationToken);
            task.Plan(found.Sources, found.Skipped, found.Owned, new DailyAllowance(limit, Math.Max(0, limit - day.Held - day.Spent)), found.Marketplace);
            task.HoldDay(day.Day);
            day.Held = checked(day.Held + task.DailyHold);
        }
        else
        {
            task.Plan(found.Sources, found.Skipped, found.Owned, marketplace: found.Marketplace);
        }

        task.AuditReused(now);
        var saved = task.Purchases.Where(p => p.Status == PurchaseStatus.Reused).Sum(p => p.Price);
        if (saved > 0)
            context.AfterCommit(() => TaskMetrics.SpendSaved(saved));
        if (approval.Value.Threshold is { } threshold && task.PlannedTotal > threshold)
            task.RequestApproval(threshold, now + approval.Value.Timeout, now);

        await next.Execute(context);
    }

    public Task Faulted<TException>(BehaviorExceptionContext<ResearchTaskState, SourcesDiscovered, TException> context, IBehavior<ResearchTaskState, SourcesDiscovered> next)
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("plan-purchases");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}

/// <summary>
/// Ending a task gives its day back what its plan held and did not use: the day keeps what the task spent (and what a
/// payment never settled may have cost).
/// </summary>
public sealed class ReleaseDailyHold(IOwnerSpendingDays days) : IStateMachineActivity<ResearchTaskState>
{
    public Task Execute(BehaviorContext<ResearchTaskState> context, IBehavior<ResearchTaskState> next) => ReleaseThen(context, () => next.Execute(context));

    public Task Execute<T>(BehaviorContext<ResearchTaskState, T> context, IBehavior<ResearchTaskState, T> next)
        where T : class => ReleaseThen(context, () => next.Execute(context));

    async Task ReleaseThen(BehaviorContext<ResearchTaskState> context, Func<Task> next)
    {
        var task = context.Saga;
        if (task.SpendingDay is { } day)
        {
            await days.ReleaseAsync(task.OwnerId, day, task.DailyHold, task.UsedOfDay, context.CancellationToken);
            task.SpendingDay = null;
            task.DailyHold = 0;
        }

        await next();
    }

    public Task Faulted<TException>(BehaviorExceptionContext<ResearchTaskState, TException> context, IBehavior<ResearchTaskState> next)
        where TException : Exception => next.Faulted(context);

    public Task Faulted<T, TException>(BehaviorExceptionContext<ResearchTaskState, T, TException> context, IBehavior<ResearchTaskState, T> next)
        where T : class
        where TException : Exception => next.Faulted(context);

    public void Probe(ProbeContext context) => context.CreateScope("release-daily-hold");

    public void Accept(StateMachineVisitor visitor) => visitor.Visit(this);
}

/// <summary>The per-owner days, written inside the saga's transaction (<see cref="OwnerSpendingDay"/>).</summary>
public interface IOwnerSpendingDays
{
    /// <summary>The owner's day, created if new, locked until the transaction ends; tracked, so a change to it is saved with the saga.</summary>
    Task<OwnerSpendingDay> LockAsync(string ownerId, DateTime day, CancellationToken cancellationToken);

    /// <summary>Moves a task's hold to what it used.</summary>
    Task ReleaseAsync(string ownerId, DateTime day, long held, long used, CancellationToken cancellationToken);
}
