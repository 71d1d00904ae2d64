namespace Orchestrator.Api.Progress;

/// <summary>
/// A task's progress, rebuilt from what the database already holds: the state history, the quoted and planned
/// purchases, the audit trail. The same rows always give the same events with the same ids, and rows are only
/// ever added, so a later read extends an earlier one.
/// </summary>
public static class TaskProgressLog
{

    /// <summary>
    /// Each step of the saga writes its audit entries before the state change that ends it, in one transaction:
    /// entries are placed before the first transition not earlier than them. Entries of a step whose transition was
    /// not read yet wait for the next read.
    /// </summary>
    public static IReadOnlyList<ProgressEvent> Build(ResearchTaskState task, IReadOnlyList<ResearchTaskTransition> transitions, IReadOnlyList<AuditEvent> audit)
    {
        var events = new List<ProgressEvent>();
        var spent = 0L;
        var nextAudit = 0;
        var approvalAsked = false;

        void Add(string type, object data) => events.Add(new ProgressEvent(events.Count + 1, type, data));

        foreach (var transition in transitions)
        {
            for (; nextAudit < audit.Count && audit[nextAudit].At <= transition.At; nextAudit++)
            {
                var entry = audit[nextAudit];
                if (Payment(entry, task, ref spent) is { } payment)
                    Add(ProgressEventTypes.Payment, payment);
                else if (entry is { Action: AuditActions.ItemFetched, ItemId: { } item } && !IsUnpaidFetch(entry))
                    Add(ProgressEventTypes.Source, new Source(item, TitleOf(task, item)));
            }

            if (transition.Event == nameof(ResearchTaskStateMachine.SourcesDiscovered))
                AddQuotesAndPlan(task, Add);

            // The plan made in the same step asked for approval: said once, before the task is seen waiting.
            if (transition.ToState == TaskStates.AwaitingApproval && !approvalAsked && ApprovalOf(task) is { } approval)
            {
                approvalAsked = true;
                Add(ProgressEventTypes.Approval, approval);
            }

            Add(ProgressEventTypes.State, new StateChange(transition.FromState, transition.ToState, Utc(transition.At)));
        }

        if (ResearchTaskState.IsFinal(task.CurrentState) && transitions.Count > 0 && transitions[^1].ToState == task.CurrentState)
            Add(ProgressEventTypes.Final, new Final(task.CurrentState, task.Spent,
                task.ErrorType is null ? null : new FinalError(task.ErrorType, task.ErrorMessage ?? "")));
        return events;
    }

    static Payment? Payment(AuditEvent entry, ResearchTaskState task, ref long spent)
    {
        // A reused item is read from the owner's earlier purchase: nothing is paid for it, whatever its trail says.
        if (entry.ItemId is not { } item || IsReused(task, item))
            return null;

        var amount = entry.Amount ?? 0;
        string outcome;
        switch (entry.Action)
        {
            case AuditActions.PaymentSettled:
                spent += amount;
                outcome = "paid";
                break;
            case AuditActions.PaymentUnconfirmed:
                outcome = "unconfirmed";
                break;
            case AuditActions.ItemFetched when IsUnpaidFetch(entry):
                outcome = "unpaid";
                break;
            default:
                return null;
        }

        var receipt = outcome == "paid" ? task.Purchases.Find(p => p.ItemId == item) is { } purchase ? Tasks.PaymentReceipt.Of(purchase) : null : null;
        return new Payment(item, amount, outcome, spent, task.Budget - spent, receipt);
    }

    static bool IsUnpaidFetch(AuditEvent entry) => entry.Outcome?.StartsWith("unpaid", StringComparison.Ordinal) == true;

    static void AddQuotesAndPlan(ResearchTaskState task, Action<string, object> add)
    {
        var candidates = task.Purchases.OrderByDescending(p => p.Score).ThenBy(p => p.ItemId).ToList();
        foreach (var purchase in candidates)
            add(ProgressEventTypes.Quote, new Quote(purchase.ItemId, purchase.Title, purchase.Price));

        // What the planner chose: everything it did not leave out. (A planned item can still turn out unaffordable.)
        // A reused item is in the plan but costs nothing: the total is what the plan is to pay.
        var planned = candidates
            .Where(IsPlanned)
            .Select(p => new PlannedItem(p.ItemId, p.Title, p.Price, Math.Round(p.Score, 4), p.Status == PurchaseStatus.Reused ? p.ReusedFrom : null))
            .ToList();
        add(ProgressEventTypes.Plan, new Plan(planned, PlanTotal(task)));
    }

    static bool IsPlanned(ResearchTaskPurchase purchase) =>
        purchase.Status is not (PurchaseStatus.NotChosen or PurchaseStatus.OverBudget or PurchaseStatus.Skipped);

    static long PlanTotal(ResearchTaskState task) =>
        task.Purchases.Where(p => IsPlanned(p) && p.Status != PurchaseStatus.Reused).Sum(p => p.Price);

    /// <summary>The approval the plan asked for (the task's row keeps it after the decision), or null when none was.</summary>
    static Approval? ApprovalOf(ResearchTaskState task) =>
        task is { ApprovalThreshold: { } threshold, ApprovalExpiresAt: { } expiresAt }
            ? new Approval(PlanTotal(task), threshold, Utc(expiresAt))
            : null;

    static bool IsReused(ResearchTaskState task, int item) => task.Purchases.Exists(p => p.ItemId == item && p.Status == PurchaseStatus.Reused);

    static string TitleOf(ResearchTaskState task, int item) => task.Purchases.Find(p => p.ItemId == item)?.Title ?? $"item {item}";

    static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
