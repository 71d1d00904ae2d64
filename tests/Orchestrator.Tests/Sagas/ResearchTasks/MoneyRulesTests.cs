namespace Orchestrator.Tests.Sagas.ResearchTasks;

/// <summary>
/// The money rules of a task on their own, one row per case: what a payment step's outcomes, a fetching step's answers
/// and the decision after them (<see cref="ResearchTaskState.Continue"/>) do to its purchases and its spending.
/// Each row starts from purchases 1 (price 10) and 2 (price 20) in the given states, with a budget of 40.
/// </summary>
public sealed class MoneyRulesTests
{
    static readonly DateTime Now = new(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc);
    static readonly DeferralOptions Retry = new();

    public static TheoryData<string, PurchaseStatus, PurchaseStatus, PaymentOutcome[], PurchaseStatus, PurchaseStatus, long, StopReason?> Payments => new()
    {
        { "paid", PurchaseStatus.Paying, PurchaseStatus.Paying, [Out(1, PaymentResult.Paid), Out(2, PaymentResult.Paid)], PurchaseStatus.Paid, PurchaseStatus.Paid, 30, null },
        { "refused stops the task, nothing spent", PurchaseStatus.Paying, PurchaseStatus.Planned, [Out(1, PaymentResult.Refused)], PurchaseStatus.Planned, PurchaseStatus.Planned, 0, StopReason.Failed },
        { "unknown outcome is settled later", PurchaseStatus.Paying, PurchaseStatus.Planned, [Out(1, PaymentResult.Unconfirmed)], PurchaseStatus.Unconfirmed, PurchaseStatus.Planned, 0, null },
        { "not made may have been made by another delivery", PurchaseStatus.Paying, PurchaseStatus.Paying, [Out(1, PaymentResult.Paid), Out(2, PaymentResult.NotMade)], PurchaseStatus.Paid, PurchaseStatus.Unconfirmed, 10, null },
        { "a purchase the step did not mention is unconfirmed", PurchaseStatus.Paying, PurchaseStatus.Paying, [Out(1, PaymentResult.Paid)], PurchaseStatus.Paid, PurchaseStatus.Unconfirmed, 10, null },
        { "x402 pays and fetches in one request: the data comes with the payment", PurchaseStatus.Paying, PurchaseStatus.Paying, [Out(1, PaymentResult.Paid) with { Data = "{}", Reference = "0xab", Network = "eip155:84532" }, Out(2, PaymentResult.Paid)], PurchaseStatus.Fetched, PurchaseStatus.Paid, 30, null },
        { "declined (the seller asked more than it quoted): skipped, nothing spent, the task goes on", PurchaseStatus.Paying, PurchaseStatus.Paying, [Out(1, PaymentResult.Declined), Out(2, PaymentResult.Paid)], PurchaseStatus.Skipped, PurchaseStatus.Paid, 20, null },
        { "an outcome for a purchase not being paid changes nothing", PurchaseStatus.Fetched, PurchaseStatus.Planned, [Out(1, PaymentResult.Paid), Out(2, PaymentResult.Paid)], PurchaseStatus.Fetched, PurchaseStatus.Planned, 0, null },
    };

    [Theory]
    [MemberData(nameof(Payments))]
    public void A_payment_steps_outcomes(string _, PurchaseStatus first, PurchaseStatus second, PaymentOutcome[] outcomes,
        PurchaseStatus firstAfter, PurchaseStatus secondAfter, long spent, StopReason? stop)
    {
        var task = Task(first, second);

        task.RecordPayments(outcomes, Now);

        Assert.Equal((firstAfter, secondAfter), (task.Purchases[0].Status, task.Purchases[1].Status));
        Assert.Equal(spent, task.Spent);
        Assert.Equal(stop, task.StopRequested);
    }

    public static TheoryData<string, PurchaseStatus, FetchedItem, PurchaseStatus, long, StopReason?, bool> Fetches => new()
    {
        { "data settles an unconfirmed payment as paid", PurchaseStatus.Unconfirmed, new FetchedItem(1, ItemFetchResult.Fetched, "{}"), PurchaseStatus.Fetched, 10, null, false },
        { "data of a paid item is kept, not counted twice", PurchaseStatus.Paid, new FetchedItem(1, ItemFetchResult.Fetched, "{}"), PurchaseStatus.Fetched, 10, null, false },
        { "402 on an unconfirmed payment: it was not made, pay again", PurchaseStatus.Unconfirmed, new FetchedItem(1, ItemFetchResult.Unpaid), PurchaseStatus.Planned, 0, null, false },
        { "402 on a confirmed payment fails the task", PurchaseStatus.Paid, new FetchedItem(1, ItemFetchResult.Unpaid), PurchaseStatus.Paid, 10, StopReason.Failed, false },
        { "a fetch failed for now is made again later", PurchaseStatus.Unconfirmed, new FetchedItem(1, ItemFetchResult.FailedForNow, ErrorType: ErrorTypes.DataError, Error: "down"), PurchaseStatus.Unconfirmed, 0, null, true },
        { "a fetch failed for good on an unconfirmed payment is checked again", PurchaseStatus.Unconfirmed, new FetchedItem(1, ItemFetchResult.Failed, Error: "bad"), PurchaseStatus.Unconfirmed, 0, null, true },
        { "an x402 fetch settles an unconfirmed payment with its receipt", PurchaseStatus.Unconfirmed, new FetchedItem(1, ItemFetchResult.Fetched, "{}", Reference: "0xab", Network: "eip155:84532"), PurchaseStatus.Fetched, 10, null, false },
        { "a fetch failed for good on a paid item fails the task", PurchaseStatus.Paid, new FetchedItem(1, ItemFetchResult.Failed, Error: "bad"), PurchaseStatus.Paid, 10, StopReason.Failed, false },
    };

    [Theory]
    [MemberData(nameof(Fetches))]
    public void A_fetching_steps_answers(string _, PurchaseStatus status, FetchedItem fetched, PurchaseStatus after, long spent, StopReason? stop, bool fetchAgainLater)
    {
        var task = Task(status, PurchaseStatus.NotChosen);
        if (status == PurchaseStatus.Paid)
            task.Spent = 10;

        task.RecordFetches([fetched], Now, Retry);

        Assert.Equal(after, task.Purchases[0].Status);
        Assert.Equal(spent, task.Spent);
        Assert.Equal(stop, task.StopRequested);
        Assert.Equal(fetchAgainLater, task.DeferredUntil is not null);
        if (after == PurchaseStatus.Fetched)
            Assert.Equal(ResearchTaskState.Sha256("{}"), task.Purchases[0].DataSha256);
    }

    [Fact]
    public void An_unconfirmed_payment_whose_fetches_keep_failing_for_good_stops_the_task_at_the_last_check()
    {
        var task = Task(PurchaseStatus.Unconfirmed, PurchaseStatus.NotChosen);
        for (var check = 1; check < ResearchTaskState.MaxSettlementChecks; check++)
        {
            task.RecordFetches([new FetchedItem(1, ItemFetchResult.Failed, Error: "bad")], Now, Retry);
            Assert.Null(task.StopRequested);
        }

        task.RecordFetches([new FetchedItem(1, ItemFetchResult.Failed, Error: "bad")], Now, Retry);

        Assert.Equal(StopReason.Failed, task.StopRequested);
        Assert.Equal(PurchaseStatus.Unconfirmed, task.Purchases[0].Status);
        Assert.Empty(task.PurchasesToFetch);
    }

    public static TheoryData<string, PurchaseStatus, PurchaseStatus, long, int, bool, NextStep, PurchaseStatus, PurchaseStatus> Decisions => new()
    {
        { "planned purchases within the budget are paid", PurchaseStatus.Planned, PurchaseStatus.Planned, 0, 0, false, NextStep.Pay, PurchaseStatus.Paying, PurchaseStatus.Paying },
        { "what may have been paid is fetched first", PurchaseStatus.Unconfirmed, PurchaseStatus.Planned, 0, 0, false, NextStep.Fetch, PurchaseStatus.Unconfirmed, PurchaseStatus.Planned },
        { "a purchase over what the budget has left is not paid", PurchaseStatus.Fetched, PurchaseStatus.Planned, 25, 0, false, NextStep.Report, PurchaseStatus.Fetched, PurchaseStatus.OverBudget },
        { "a purchase the marketplace kept showing unpaid waits for its due time", PurchaseStatus.Planned, PurchaseStatus.NotChosen, 0, ResearchTaskState.MaxPaymentAttempts, false, NextStep.Wait, PurchaseStatus.Planned, PurchaseStatus.NotChosen },
        { "and is paid again, same key, when it is due", PurchaseStatus.Planned, PurchaseStatus.NotChosen, 0, ResearchTaskState.MaxPaymentAttempts, true, NextStep.Pay, PurchaseStatus.Paying, PurchaseStatus.NotChosen },
        { "everything fetched: the report", PurchaseStatus.Fetched, PurchaseStatus.Fetched, 30, 0, false, NextStep.Report, PurchaseStatus.Fetched, PurchaseStatus.Fetched },
    };

    [Theory]
    [MemberData(nameof(Decisions))]
    public void The_decision_after_a_step(string _, PurchaseStatus first, PurchaseStatus second, long spent, int attempts, bool due,
        NextStep next, PurchaseStatus firstAfter, PurchaseStatus secondAfter)
    {
        var task = Task(first, second);
        task.Spent = spent;
        task.Purchases[0].PaymentAttempts = attempts;

        Assert.Equal(next, task.Continue(Now, Retry, due));
        Assert.Equal((firstAfter, secondAfter), (task.Purchases[0].Status, task.Purchases[1].Status));
        Assert.True(task.Committed <= task.Budget);
    }

    [Fact]
    public void A_task_asked_to_stop_pays_nothing_more_once_nothing_is_in_flight()
    {
        var task = Task(PurchaseStatus.Fetched, PurchaseStatus.Planned);
        task.StopRequested = StopReason.Cancelled;

        Assert.Equal(NextStep.Stop, task.Continue(Now, Retry, due: false));
        Assert.Equal(PurchaseStatus.Planned, task.Purchases[1].Status);
    }

    [Fact]
    public void The_answer_of_a_payment_step_ends_the_lease_and_the_claims_it_handed_over()
    {
        var task = Task(PurchaseStatus.Paying, PurchaseStatus.Paying);
        task.StepLeaseUntil = Now.AddSeconds(30);
        foreach (var purchase in task.Purchases)
            purchase.PaymentClaimedUntil = Now.AddSeconds(30);

        task.RecordPayments([Out(1, PaymentResult.Paid)], Now);

        Assert.Null(task.StepLeaseUntil);
        Assert.All(task.Purchases, p => Assert.Null(p.PaymentClaimedUntil));
    }

    static PaymentOutcome Out(int item, PaymentResult result) => new(item, result, Reference: result == PaymentResult.Paid ? $"ch_{item}" : null);

    static ResearchTaskState Task(PurchaseStatus first, PurchaseStatus second)
    {
        var task = new ResearchTaskState { CorrelationId = Guid.NewGuid(), Budget = 40, Theme = "t", OwnerId = "o" };
        task.Purchases.Add(Purchase(task, 1, 10, first));
        task.Purchases.Add(Purchase(task, 2, 20, second));
        return task;
    }

    static ResearchTaskPurchase Purchase(ResearchTaskState task, int item, long price, PurchaseStatus status) => new()
    {
        TaskId = task.CorrelationId,
        ItemId = item,
        Title = $"item {item}",
        Company = "c",
        Price = price,
        Score = 3 - item,
        IdempotencyKey = $"{task.CorrelationId:N}-{item}",
        Status = status,
    };
}
