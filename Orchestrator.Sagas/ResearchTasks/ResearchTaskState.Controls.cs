using System.Security.Cryptography;
using System.Text;
using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>What an owner's UTC day has left under <c>Spending:DailyLimitPerOwner</c> when a plan is made.</summary>
public sealed record DailyAllowance(long Limit, long Remaining);

public enum ApprovalDecision
{
    Approved,
    Rejected,
}

// The spending controls around a task: a plan above the approval threshold waits for a person, a plan holds its
// owner's day until the task ends, and an item the owner bought before is read from that purchase, not paid again.
public partial class ResearchTaskState
{
    /// <summary>What the plan will pay: the planned purchases' prices (a reused item costs nothing).</summary>
    public long PlannedTotal => Purchases.Where(p => p.Status == PurchaseStatus.Planned).Sum(p => p.Price);

    /// <summary>The plan holds <see cref="PlannedTotal"/> of its owner's <paramref name="day"/>.</summary>
    public void HoldDay(DateTime day)
    {
        SpendingDay = day;
        DailyHold = PlannedTotal;
    }

    /// <summary>
    /// What the ended task used of its day: what it spent, and what it may have been charged for a payment never
    /// settled (a person reconciles it; until then the day counts it).
    /// </summary>
    public long UsedOfDay => checked(Spent + Purchases.Where(p => p.Status == PurchaseStatus.Unconfirmed).Sum(p => p.Price));

    /// <summary>The plan costs more than <paramref name="threshold"/>: nothing is paid until a person decides, or <paramref name="expiresAt"/>.</summary>
    public void RequestApproval(long threshold, DateTime expiresAt, DateTime now)
    {
        ApprovalThreshold = threshold;
        ApprovalExpiresAt = expiresAt;
        Audit(AuditActions.ApprovalRequested, now, outcome: $"plan total {PlannedTotal} above the threshold of {threshold}; waits until {expiresAt:u}");
    }

    /// <summary>The plan was approved: the workflow timeout counts from now.</summary>
    public void Approve(DateTime now)
    {
        ApprovalDecidedAt ??= now;
        Audit(AuditActions.Approved, now, ApprovalDecidedBy ?? AuditEvent.SystemActor, $"plan total {PlannedTotal} approved");
    }

    /// <summary>The plan was rejected: the task ends Cancelled, saying who rejected it.</summary>
    public void Reject(DateTime now)
    {
        var actor = ApprovalDecidedBy ?? AuditEvent.SystemActor;
        ApprovalDecidedAt ??= now;
        Audit(AuditActions.Rejected, now, actor, $"plan total {PlannedTotal} rejected");
        ErrorType = ErrorTypes.WorkflowError;
        ErrorMessage = ErrorText($"The plan was rejected by {actor}");
        End(now);
    }

    /// <summary>Nobody decided in time: the task ends Cancelled.</summary>
    public void ExpireApproval(DateTime now)
    {
        Audit(AuditActions.ApprovalTimedOut, now, outcome: $"nobody decided by {ApprovalExpiresAt:u}");
        ErrorType = ErrorTypes.WorkflowError;
        ErrorMessage = "approval timed out";
        End(now);
    }

    /// <summary>Writes the reused items to the audit trail: what the plan did not pay for again, and why.</summary>
    public void AuditReused(DateTime now)
    {
        foreach (var purchase in Purchases.Where(p => p.Status == PurchaseStatus.Reused))
            Audit(AuditActions.Reused, now, outcome: $"already owned: bought in task {purchase.ReusedFrom} at {purchase.PaidAt:u}; not paid again", purchase: purchase);
    }

    static void Reuse(ResearchTaskPurchase purchase, OwnedSource earlier)
    {
        purchase.Status = PurchaseStatus.Reused;
        purchase.SkipReason = null;
        purchase.ReusedFrom = earlier.BoughtIn;
        purchase.PaidAt = earlier.PaidAt;
        purchase.Data = earlier.Data;
        purchase.DataSha256 = earlier.DataSha256 ?? Sha256(earlier.Data);
        purchase.PaymentReference = earlier.Reference is null ? null : Cut(earlier.Reference, ResearchTaskPurchase.MaxReferenceLength);
    }

    /// <summary>The hex SHA-256 of a text's UTF-8 bytes.</summary>
    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
