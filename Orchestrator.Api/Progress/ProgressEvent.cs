namespace Orchestrator.Api.Progress;

/// <summary>
/// One event of a task's progress stream: <paramref name="Id"/> is its sequence in the task (from 1), the same on
/// every read, so a client that reconnects with <c>Last-Event-ID</c> gets exactly what it missed.
/// </summary>
public sealed record ProgressEvent(long Id, string Type, object Data)
{
    public bool IsFinal => Type == ProgressEventTypes.Final;
}

public static class ProgressEventTypes
{
    public const string State = "state";
    public const string Quote = "quote";
    public const string Plan = "plan";
    public const string Approval = "approval";
    public const string Payment = "payment";
    public const string Source = "source";
    public const string Final = "final";
}

public sealed record StateChange(string From, string To, DateTimeOffset At);

public sealed record Quote(int Item, string Title, long Price);

/// <summary><paramref name="ReusedFrom"/>: the owner's earlier task whose purchase the item is read from; it is not paid again.</summary>
public sealed record PlannedItem(int Item, string Title, long Price, double Score, Guid? ReusedFrom = null);

/// <summary><paramref name="Total"/>: what the plan is to pay (the reused items cost nothing).</summary>
public sealed record Plan(IReadOnlyList<PlannedItem> Items, long Total);

/// <summary>The plan's <paramref name="Total"/> is above <paramref name="Threshold"/>: nothing is paid until someone approves it, or it ends Cancelled at <paramref name="ExpiresAt"/>.</summary>
public sealed record Approval(long Total, long Threshold, DateTimeOffset ExpiresAt);

/// <summary>
/// <c>outcome</c>: <c>paid</c>, <c>unconfirmed</c> (not known yet: the item is read to settle it) or <c>unpaid</c> (the
/// read showed it was not); a paid one's <c>receipt</c> once the seller returned one (an x402 transaction).
/// </summary>
public sealed record Payment(int Item, long Amount, string Outcome, long Spent, long Remaining, Tasks.PaymentReceipt? Receipt = null);

public sealed record Source(int Item, string Title);

public sealed record FinalError(string Error, string Message);

public sealed record Final(string Status, long Spent, FinalError? Error);
