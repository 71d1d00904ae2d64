using MassTransit;
using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>One research task: what it may spend, what it bought, and where it is in the workflow.</summary>
public class ResearchTaskState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public string CurrentState { get; set; } = null!;
    public int Version { get; set; }

    public string Theme { get; set; } = null!;
    public int Budget { get; set; }
    public int Spent { get; set; }

    /// <summary>Needed only to obtain the payment token; cleared as soon as the token is issued.</summary>
    public string? VoiceId { get; set; }

    /// <summary>Needed to pay and to read what was paid for; cleared when the task ends.</summary>
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

    public List<ResearchTaskPurchase> Purchases { get; set; } = [];

    /// <summary>Append-only history; never loaded with the saga, only added to.</summary>
    public List<ResearchTaskTransition> Transitions { get; set; } = [];

    public const int MaxErrorMessageLength = 2000;

    /// <summary>How often one purchase is paid for (same key) when the marketplace shows it unpaid afterwards.</summary>
    public const int MaxPaymentAttempts = 3;

    /// <summary>How often an unconfirmed payment is checked by reading the item before the task gives up.</summary>
    public const int MaxSettlementChecks = 5;

    public static readonly string[] FinalStates =
    [
        nameof(ResearchTaskStateMachine.Completed),
        nameof(ResearchTaskStateMachine.Failed),
        nameof(ResearchTaskStateMachine.Cancelled),
    ];

    public static bool IsFinal(string state) => FinalStates.Contains(state);

    /// <summary>The purchase being paid for or read, if any.</summary>
    public ResearchTaskPurchase? CurrentPurchase =>
        Purchases.Find(p => p.Status is PurchaseStatus.Paying or PurchaseStatus.Unconfirmed or PurchaseStatus.Paid);

    /// <summary>A payment was started and it is not known yet whether it went through.</summary>
    public bool PaymentInFlight => PurchasesInFlight.Any();

    /// <summary>The read that settles an unconfirmed payment failed, and another may be tried.</summary>
    public bool MaySettleAgain => CurrentPurchase is { Status: PurchaseStatus.Unconfirmed, SettlementChecks: < MaxSettlementChecks };

    /// <summary>What is paid plus what may be being paid: a payment starts only if this stays within the budget.</summary>
    public int Committed => Spent + PurchasesInFlight.Sum(p => p.Price);

    IEnumerable<ResearchTaskPurchase> PurchasesInFlight =>
        Purchases.Where(p => p.Status is PurchaseStatus.Paying or PurchaseStatus.Unconfirmed);

    /// <summary>A task the Api accepted and recorded, waiting for the workflow to pick it up.</summary>
    public static ResearchTaskState Accept(TaskSubmitted task, DateTime now)
    {
        var accepted = new ResearchTaskState { CorrelationId = task.TaskId, CurrentState = nameof(ResearchTaskStateMachine.Submitted) };
        accepted.Start(task.Theme, task.Budget, task.VoiceId, now);
        accepted.Transitions.Add(new ResearchTaskTransition
        {
            TaskId = task.TaskId,
            FromState = "Initial",
            ToState = accepted.CurrentState,
            Event = nameof(TaskSubmitted),
            At = now,
        });
        return accepted;
    }

    public void Start(string theme, int budget, string voiceId, DateTime now)
    {
        Theme = theme.Trim();
        Budget = budget;
        VoiceId = voiceId;
        if (CreatedAt == default)
            CreatedAt = now;
        UpdatedAt = now;
    }

    /// <summary>
    /// Plans the purchases before any money moves: the most relevant set of quoted sources that fits the budget
    /// (<see cref="PurchasePlanner"/>), bought most relevant first; the others are kept, with why they were left out.
    /// </summary>
    public void Plan(IEnumerable<SourceQuote> quotes)
    {
        var candidates = quotes.DistinctBy(q => q.ItemId).OrderByDescending(q => q.Score).ThenBy(q => q.ItemId).ToList();
        var available = Budget - Spent;
        var chosen = PurchasePlanner.Choose(candidates, available);
        foreach (var quote in candidates)
        {
            Purchases.Add(new ResearchTaskPurchase
            {
                TaskId = CorrelationId,
                ItemId = quote.ItemId,
                Title = quote.Title,
                Company = quote.Company,
                Price = quote.Price,
                Score = quote.Score,
                IdempotencyKey = $"{CorrelationId:N}-{quote.ItemId}",
                Status = chosen.Contains(quote.ItemId) ? PurchaseStatus.Planned
                    : quote.Price > available || quote.Price <= 0 ? PurchaseStatus.OverBudget
                    : PurchaseStatus.NotChosen,
            });
        }
    }

    /// <summary>
    /// Starts the next planned purchase that the budget still allows, or returns null when nothing is left to buy.
    /// </summary>
    public ResearchTaskPurchase? StartNextPurchase()
    {
        if (StopRequested is not null)
            return null;

        foreach (var purchase in Purchases.Where(p => p.Status == PurchaseStatus.Planned).OrderByDescending(p => p.Score).ThenBy(p => p.ItemId))
        {
            if (Committed + purchase.Price > Budget)
            {
                purchase.Status = PurchaseStatus.OverBudget;
                continue;
            }

            purchase.Status = PurchaseStatus.Paying;
            purchase.PaymentAttempts = 1;
            return purchase;
        }

        return null;
    }

    /// <summary>
    /// Pays again, under the same key, for a purchase the marketplace showed unpaid; false when its attempts are
    /// spent, the task is stopping or the budget no longer allows it.
    /// </summary>
    public bool RetryUnpaidPurchase()
    {
        var purchase = CurrentPurchase!;
        purchase.Status = PurchaseStatus.Planned;
        if (StopRequested is not null || purchase.PaymentAttempts >= MaxPaymentAttempts || Committed + purchase.Price > Budget)
            return false;

        purchase.Status = PurchaseStatus.Paying;
        purchase.PaymentAttempts++;
        return true;
    }

    public void RecordPayment(int itemId, DateTime now)
    {
        var purchase = Purchases.Single(p => p.ItemId == itemId);
        if (purchase.Status is PurchaseStatus.Paid or PurchaseStatus.Fetched)
            return;

        purchase.Status = PurchaseStatus.Paid;
        purchase.PaidAt = now;
        Spent += purchase.Price;
    }

    public void MarkUnconfirmed() => CurrentPurchase!.Status = PurchaseStatus.Unconfirmed;

    /// <summary>The item was read with the token, so it is paid for: an unconfirmed payment is settled as paid.</summary>
    public void RecordData(ItemDataFetched fetched, DateTime now)
    {
        RecordPayment(fetched.ItemId, now);
        var purchase = Purchases.Single(p => p.ItemId == fetched.ItemId);
        purchase.Status = PurchaseStatus.Fetched;
        purchase.Data = fetched.Data;
    }

    /// <summary>Fails the task over a purchase the marketplace kept showing unpaid after every attempt.</summary>
    public void FailUnpaidPurchase(int itemId, DateTime now) =>
        Fail(ErrorTypes.PaymentError,
            $"Marketplace item {itemId} could not be paid for after {Purchases.Single(p => p.ItemId == itemId).PaymentAttempts} attempts", now);

    public void Cancel(DateTime now) => End(now);

    public void TimeOut(DateTime now) =>
        Fail(ErrorTypes.WorkflowError, "The task did not finish within the workflow timeout (WORKFLOW_TIMEOUT)", now);

    /// <summary>A task refused by the intake: recorded, so that its id answers, and failed with the reason.</summary>
    public void Reject(TaskRejected rejected, DateTime now)
    {
        Theme = rejected.Theme.Length > TaskRules.MaxThemeLength ? rejected.Theme[..TaskRules.MaxThemeLength] : rejected.Theme;
        Budget = rejected.Budget;
        if (CreatedAt == default)
            CreatedAt = now;
        Fail(ErrorTypes.WorkflowError, $"The task was refused: {rejected.Reason}", now);
    }

    public void Complete(string reportMarkdown, DateTime now)
    {
        ReportMarkdown = reportMarkdown;
        End(now);
    }

    public void Fail(string errorType, string message, DateTime now)
    {
        ErrorType = errorType;
        ErrorMessage = message.Length > MaxErrorMessageLength ? message[..MaxErrorMessageLength] : message;
        End(now);
    }

    void End(DateTime now)
    {
        CompletedAt = now;
        VoiceId = null;
        PaymentToken = null;
    }
}

public enum StopReason
{
    Cancelled,
    TimedOut,
}
