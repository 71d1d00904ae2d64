using MassTransit;
using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>One research task: what it may spend, what it bought, and where it is in the workflow.</summary>
public partial class ResearchTaskState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = null!;
    public int Version { get; set; }

    public string Theme { get; set; } = null!;
    public long Budget { get; set; }
    public long Spent { get; set; }

    /// <summary>Who submitted the task: a token's <c>sub</c>, <c>anonymous</c>, or a bus publisher's owner id (<c>bus</c>).</summary>
    public string OwnerId { get; set; } = null!;

    /// <summary>The client's <c>Idempotency-Key</c> of <c>POST /tasks</c>, unique per owner, and what the body hashed to.</summary>
    public string? SubmissionKey { get; set; }
    public string? SubmissionHash { get; set; }

    /// <summary>
    /// Needed only to obtain the payment token; read and cleared by the token consumer, never carried by a message.
    /// </summary>
    public string? VoiceId { get; set; }

    /// <summary>Needed to pay and to read what was paid for; stored by the token consumer, cleared when the task ends.</summary>
    public string? PaymentToken { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }

    public string? ErrorType { get; set; }
    public string? ErrorMessage { get; set; }
    public string? ReportMarkdown { get; set; }

    /// <summary>
    /// Set when the task was cancelled or timed out while a payment was in flight: it stops once that payment is
    /// settled, and no other starts.
    /// </summary>
    public StopReason? StopRequested { get; set; }

    /// <summary>
    /// When the step that failed for now (<see cref="ResearchStepDeferred"/>) is due to be tried again; null when
    /// the task is not waiting on a retry. The hosts' sweep sends <see cref="DeferredStepDue"/> once it has passed.
    /// </summary>
    public DateTime? DeferredUntil { get; set; }

    /// <summary>
    /// Until when a payment step is known to be running for this task: the payer sets and extends it, the saga clears
    /// it when it records the step's answer, and the stalled-task sweep does not resume a task whose step still holds it.
    /// </summary>
    public DateTime? StepLeaseUntil { get; set; }

    /// <summary>How often the current step failed for now in a row; the wait doubles with each.</summary>
    public int Deferrals { get; set; }

    /// <summary>The last error of the current step that failed for now: the task fails with it at the workflow timeout.</summary>
    public string? LastErrorType { get; set; }
    public string? LastError { get; set; }

    /// <summary>The plan's total above <c>Approval:Threshold</c>: the threshold it waited on (null: no approval asked).</summary>
    public long? ApprovalThreshold { get; set; }

    /// <summary>When the task waiting for approval ends Cancelled, "approval timed out".</summary>
    public DateTime? ApprovalExpiresAt { get; set; }

    /// <summary>Recorded by the Api (one conditional write) before the saga is told; the saga acts on it.</summary>
    public ApprovalDecision? ApprovalDecision { get; set; }
    public string? ApprovalDecidedBy { get; set; }

    /// <summary>
    /// When the plan was approved: the workflow timeout counts from then, so time spent waiting for a person is not
    /// held against the task.
    /// </summary>
    public DateTime? ApprovalDecidedAt { get; set; }

    /// <summary>The UTC day (midnight) whose per-owner limit this task's plan holds money of (<c>Spending:DailyLimitPerOwner</c>).</summary>
    public DateTime? SpendingDay { get; set; }

    /// <summary>What the plan holds of its owner's day, until the task ends and what it spent replaces it.</summary>
    public long DailyHold { get; set; }

    public List<ResearchTaskPurchase> Purchases { get; set; } = [];

    /// <summary>Append-only history; never loaded with the saga, only added to.</summary>
    public List<ResearchTaskTransition> Transitions { get; set; } = [];

    /// <summary>Append-only audit trail; never loaded with the saga, only added to.</summary>
    public List<AuditEvent> AuditEvents { get; set; } = [];

    public const int MaxErrorMessageLength = 2000;

    public static bool IsFinal(string state) => TaskStates.Final.Contains(state);

    /// <summary>A payment was started and it is not known yet whether it went through.</summary>
    public bool PaymentInFlight => PurchasesInFlight.Any();

    /// <summary>What is paid plus what may be being paid: a payment starts only if this stays within the budget.</summary>
    public long Committed => checked(Spent + PurchasesInFlight.Sum(p => p.Price));

    IEnumerable<ResearchTaskPurchase> PurchasesInFlight =>
        Purchases.Where(p => p.Status is PurchaseStatus.Paying or PurchaseStatus.Unconfirmed);

    /// <summary>
    /// A valid task, recorded <c>Submitted</c> with its owner and voice id before the saga is told
    /// (<see cref="TaskAccepted"/>): by the Api, or by the bus intake.
    /// </summary>
    public static ResearchTaskState Accept(Guid taskId, string theme, long budget, string voiceId, string ownerId, DateTime now)
    {
        var task = Record(taskId, theme, budget, ownerId, TaskStates.Submitted, nameof(TaskSubmitted), now);
        task.VoiceId = voiceId;
        task.Audit(AuditActions.Submitted, now, ownerId, $"budget {budget}");
        return task;
    }

    /// <summary>A task refused by the bus intake: recorded, so that its id answers, and failed with the reason.</summary>
    public static ResearchTaskState Refuse(Guid taskId, string theme, long budget, string ownerId, string reason, DateTime now)
    {
        var task = Record(taskId, theme.Length > TaskRules.MaxThemeLength ? theme[..TaskRules.MaxThemeLength] : theme, budget, ownerId,
            TaskStates.Failed, nameof(TaskSubmitted), now);
        task.Audit(AuditActions.Submitted, now, ownerId, "refused");
        task.Fail(ErrorTypes.WorkflowError, $"The task was refused: {reason}", now);
        return task;
    }

    static ResearchTaskState Record(Guid taskId, string theme, long budget, string ownerId, string state, string @event, DateTime now)
    {
        var task = new ResearchTaskState
        {
            CorrelationId = taskId,
            CurrentState = state,
            Theme = theme.Trim(),
            Budget = budget,
            OwnerId = ownerId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        task.Transitions.Add(new ResearchTaskTransition { TaskId = taskId, FromState = "Initial", ToState = state, Event = @event, At = now });
        return task;
    }

    /// <summary>
    /// Plans the purchases before any money moves: the most relevant set of quoted sources that fits the budget
    /// (<see cref="PurchasePlanner"/>), bought most relevant first; the others are kept, with why they were left out,
    /// and so are the <paramref name="skipped"/> items, which have no price to plan with. A relevant item the owner
    /// already bought (<paramref name="owned"/>) is <see cref="PurchaseStatus.Reused"/>: it costs nothing, so the
    /// budget buys more. Under a daily limit (<paramref name="allowance"/>) the plan is cut to what the owner's day
    /// has left, and what the budget alone would have bought is <see cref="PurchaseStatus.Skipped"/> naming the limit.
    /// </summary>
    public void Plan(
        IEnumerable<SourceQuote> quotes,
        IEnumerable<SkippedSource>? skipped = null,
        IEnumerable<OwnedSource>? owned = null,
        DailyAllowance? allowance = null,
        string? marketplace = null)
    {
        StepSucceeded();
        var candidates = quotes.DistinctBy(q => q.ItemId).OrderByDescending(q => q.Score).ThenBy(q => q.ItemId).ToList();
        var reusable = (owned ?? []).DistinctBy(o => o.ItemId).ToDictionary(o => o.ItemId);
        var toBuy = candidates.Where(q => q.Score <= 0 || !reusable.ContainsKey(q.ItemId)).ToList();
        var available = checked(Budget - Spent);
        var withinBudget = PurchasePlanner.Choose(toBuy, available);
        var chosen = allowance is null ? withinBudget : PurchasePlanner.Choose(toBuy, Math.Min(available, allowance.Remaining));
        marketplace = marketplace is null ? null : Cut(marketplace, ResearchTaskPurchase.MaxMarketplaceLength);
        foreach (var quote in candidates)
        {
            var purchase = new ResearchTaskPurchase
            {
                TaskId = CorrelationId,
                ItemId = quote.ItemId,
                Title = Cut(quote.Title, ResearchTaskPurchase.MaxTextLength),
                Company = Cut(quote.Company, ResearchTaskPurchase.MaxTextLength),
                Price = quote.Price,
                Score = quote.Score,
                IdempotencyKey = $"{CorrelationId:N}-{quote.ItemId}",
                Marketplace = marketplace,
                X402Amount = quote.X402Amount is { Length: > 0 and <= ResearchTaskPurchase.MaxX402AmountLength } amount ? amount : null,
                Status = chosen.Contains(quote.ItemId) ? PurchaseStatus.Planned
                    : withinBudget.Contains(quote.ItemId) ? PurchaseStatus.Skipped
                    : quote.Price > available ? PurchaseStatus.OverBudget
                    : PurchaseStatus.NotChosen,
            };
            if (purchase.Status == PurchaseStatus.Skipped)
                purchase.SkipReason = $"the daily limit of {allowance!.Limit} per owner leaves {allowance.Remaining} for today";
            if (quote.Score > 0 && reusable.TryGetValue(quote.ItemId, out var earlier))
                Reuse(purchase, earlier);
            Purchases.Add(purchase);
        }

        foreach (var item in (skipped ?? []).DistinctBy(s => s.ItemId).Where(s => candidates.TrueForAll(q => q.ItemId != s.ItemId)))
        {
            Purchases.Add(new ResearchTaskPurchase
            {
                TaskId = CorrelationId,
                ItemId = item.ItemId,
                Title = Cut(item.Title, ResearchTaskPurchase.MaxTextLength),
                Company = Cut(item.Company, ResearchTaskPurchase.MaxTextLength),
                IdempotencyKey = $"{CorrelationId:N}-{item.ItemId}",
                Marketplace = marketplace,
                Status = PurchaseStatus.Skipped,
                SkipReason = Cut(item.Reason, ResearchTaskPurchase.MaxSkipReasonLength),
            });
        }
    }

    /// <summary>The Worker cuts marketplace text to its columns already; this keeps a stray message from breaking the row.</summary>
    static string Cut(string text, int length) => text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");

    /// <summary>
    /// An error as stored and shown: one line, cut to its column. Errors quote what suppliers answered, so line breaks
    /// and other control characters in them become one space: an error read in a log, a terminal or the audit trail
    /// cannot pass for lines of its own.
    /// </summary>
    static string ErrorText(string message)
    {
        if (!message.Any(IsControl))
            return Cut(message, MaxErrorMessageLength);

        var line = new System.Text.StringBuilder(message.Length);
        var gap = false;
        foreach (var c in message)
        {
            if (IsControl(c))
            {
                gap = true;
                continue;
            }

            if (gap && line.Length > 0 && line[^1] != ' ' && c != ' ')
                line.Append(' ');
            gap = false;
            line.Append(c);
        }

        return Cut(line.ToString(), MaxErrorMessageLength);

        static bool IsControl(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
    }

    /// <summary>The payment token is issued: the token consumer stored it with the task.</summary>
    public void RecordTokenIssued(DateTime now)
    {
        StepSucceeded();
        Audit(AuditActions.TokenRequested, now, outcome: "issued");
    }

    /// <summary>
    /// The step failed for now: it is tried again after a wait that doubles with every failure in a row. A task with
    /// an unconfirmed payment keeps trying past the workflow timeout: it never ends before it knows what it spent.
    /// </summary>
    public void Defer(string errorType, string message, DateTime now, DeferralOptions retry)
    {
        Deferrals++;
        LastErrorType = errorType;
        LastError = ErrorText(message);
        DeferredUntil = now + retry.DelayAfter(Deferrals);
    }

    /// <summary>The due time has come: the step is asked for again (a second reminder finds nothing due).</summary>
    public bool TakeDueDeferral()
    {
        if (DeferredUntil is null)
            return false;
        DeferredUntil = null;
        return true;
    }

    /// <summary>
    /// A step answered: whatever failed before it no longer holds the task up (unless it is the error the task is
    /// stopping with, kept until it ends).
    /// </summary>
    void StepSucceeded()
    {
        DeferredUntil = null;
        Deferrals = 0;
        if (StopRequested == StopReason.Failed)
            return;
        LastErrorType = null;
        LastError = null;
    }

    /// <summary>Ends a task that was asked to stop while a payment was in flight, now that none is.</summary>
    public void Stop(DateTime now)
    {
        switch (StopRequested)
        {
            case StopReason.Cancelled:
                Cancel(now);
                break;
            case StopReason.Failed:
                Fail(LastErrorType ?? ErrorTypes.WorkflowError, LastError ?? "", now);
                break;
            default:
                TimeOut(now);
                break;
        }
    }

    public void Cancel(DateTime now)
    {
        Audit(AuditActions.Cancelled, now, outcome: $"ended Cancelled, spent {Spent} of {Budget}");
        End(now);
    }

    /// <summary>
    /// Out of time: failed with the error of the step that kept failing for now, if one did, else a WorkflowError.
    /// </summary>
    public void TimeOut(DateTime now)
    {
        if (LastErrorType is { } errorType)
            Fail(errorType, LastError ?? "", now);
        else
            Fail(ErrorTypes.WorkflowError, "The task did not finish within the workflow timeout (WORKFLOW_TIMEOUT)", now);
    }

    /// <summary>
    /// Settling took longer than allowed: the task fails with what it knows. A purchase still in flight stays
    /// <see cref="PurchaseStatus.Unconfirmed"/> (not counted in <see cref="Spent"/>) for a person to reconcile.
    /// </summary>
    public void AbandonSettlement(DateTime now)
    {
        var unknown = PurchasesInFlight.ToList();
        foreach (var purchase in unknown)
        {
            purchase.Status = PurchaseStatus.Unconfirmed;
            Audit(AuditActions.SettlementAbandoned, now, outcome: "payment outcome unknown: left to reconcile", purchase: purchase);
        }

        if (unknown.Count == 0)
            TimeOut(now);
        else
            Fail(ErrorTypes.PaymentError, $"payment outcome unknown: {unknown.Count} purchase(s) could not be settled in time (items {string.Join(", ", unknown.Select(p => p.ItemId))}); they need reconciling", now);
    }

    public void Complete(string reportMarkdown, DateTime now)
    {
        ReportMarkdown = reportMarkdown;
        Audit(AuditActions.Completed, now, outcome: $"spent {Spent} of {Budget}");
        End(now);
    }

    public void Fail(string errorType, string message, DateTime now)
    {
        ErrorType = errorType;
        ErrorMessage = ErrorText(message);
        Audit(AuditActions.Failed, now, outcome: $"{errorType}: {ErrorMessage}");
        End(now);
    }

    void Audit(string action, DateTime now, string actor = AuditEvent.SystemActor, string? outcome = null, ResearchTaskPurchase? purchase = null) =>
        AuditEvents.Add(AuditEvent.For(CorrelationId, now, actor, action, outcome, purchase));

    void End(DateTime now)
    {
        CompletedAt = now;
        DeferredUntil = null;
        VoiceId = null;
        PaymentToken = null;
    }
}

public enum StopReason
{
    Cancelled,
    TimedOut,

    /// <summary>A step failed for good (<see cref="ResearchTaskState.LastError"/> says how) while a payment was in flight.</summary>
    Failed,
}
