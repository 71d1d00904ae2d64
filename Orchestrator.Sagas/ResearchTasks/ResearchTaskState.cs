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

    public List<ResearchTaskPurchase> Purchases { get; set; } = [];

    /// <summary>Append-only history; never loaded with the saga, only added to.</summary>
    public List<ResearchTaskTransition> Transitions { get; set; } = [];

    public ResearchTaskPurchase? CurrentPurchase =>
        Purchases.Find(p => p.Status is PurchaseStatus.Paying or PurchaseStatus.Paid);

    /// <summary>A task the Api accepted and recorded, waiting for the workflow to pick it up.</summary>
    public const int MaxErrorMessageLength = 2000;

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
    /// Keeps the quoted sources in relevance order and plans to buy each one that still fits the budget;
    /// the rest are recorded as not bought.
    /// </summary>
    public void Plan(IEnumerable<SourceQuote> quotes)
    {
        var committed = Spent;
        foreach (var quote in quotes.DistinctBy(q => q.ItemId))
        {
            var affordable = quote.Price > 0 && committed + quote.Price <= Budget;
            if (affordable)
                committed += quote.Price;

            Purchases.Add(new ResearchTaskPurchase
            {
                TaskId = CorrelationId,
                ItemId = quote.ItemId,
                Title = quote.Title,
                Company = quote.Company,
                Price = quote.Price,
                IdempotencyKey = $"{CorrelationId:N}-{quote.ItemId}",
                Status = affordable ? PurchaseStatus.Planned : PurchaseStatus.OverBudget,
            });
        }
    }

    /// <summary>
    /// Starts the next planned purchase that the budget still allows, or returns null when nothing is left to buy.
    /// </summary>
    public ResearchTaskPurchase? StartNextPurchase()
    {
        foreach (var purchase in Purchases.Where(p => p.Status == PurchaseStatus.Planned))
        {
            if (Spent + purchase.Price > Budget)
            {
                purchase.Status = PurchaseStatus.OverBudget;
                continue;
            }

            purchase.Status = PurchaseStatus.Paying;
            return purchase;
        }

        return null;
    }

    public void RecordPayment(ItemPaid paid, DateTime now)
    {
        var purchase = Purchases.Single(p => p.ItemId == paid.ItemId);
        purchase.Status = PurchaseStatus.Paid;
        purchase.PaidAt = now;
        Spent += paid.Amount;
    }

    public void RecordData(ItemDataFetched fetched)
    {
        var purchase = Purchases.Single(p => p.ItemId == fetched.ItemId);
        purchase.Status = PurchaseStatus.Fetched;
        purchase.Data = fetched.Data;
    }

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
