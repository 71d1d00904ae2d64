using Orchestrator.Contracts;

namespace Orchestrator.Sagas.ResearchTasks;

/// <summary>What a task does once a payment or fetching step answered.</summary>
public enum NextStep
{
    /// <summary>Fetch what was paid (or may have been): with the token, or x402's stored payment.</summary>
    Fetch,

    /// <summary>Pay for the purchases just started: new ones, and those the marketplace showed unpaid.</summary>
    Pay,

    /// <summary>Nothing now: a step failed for now and is tried again at <see cref="ResearchTaskState.DeferredUntil"/>.</summary>
    Wait,

    /// <summary>End as <see cref="ResearchTaskState.StopRequested"/> says: nothing is in flight any more.</summary>
    Stop,

    /// <summary>Everything planned is bought and fetched, or cannot be bought: write the report.</summary>
    Report,
}

// The money side of a task: every payment step pays the whole plan and every fetching step fetches it all back, so a
// task costs the same number of steps whatever it buys. An outcome the task does not know for sure is settled by
// fetching the item (200: paid, 402: not) before anything is paid again, always under the purchase's one key.
public partial class ResearchTaskState
{
    /// <summary>How often one purchase is paid for (same key) in a row when the marketplace shows it unpaid afterwards.</summary>
    public const int MaxPaymentAttempts = 3;

    /// <summary>How often an unconfirmed payment's fetch may fail for good before the task gives up on settling it.</summary>
    public const int MaxSettlementChecks = 5;

    /// <summary>The purchases the payment step is asked to pay, in plan order.</summary>
    public IEnumerable<ResearchTaskPurchase> PurchasesBeingPaid => InPlanOrder(Purchases.Where(p => p.Status == PurchaseStatus.Paying));

    /// <summary>
    /// The purchases to fetch with the token: every unconfirmed payment that may still be settled and, unless the
    /// task is stopping, every paid item not fetched yet.
    /// </summary>
    public IEnumerable<ResearchTaskPurchase> PurchasesToFetch => InPlanOrder(Purchases.Where(p =>
        (p.Status == PurchaseStatus.Unconfirmed && p.SettlementChecks < MaxSettlementChecks)
        || (p.Status == PurchaseStatus.Paid && StopRequested is null)));

    /// <summary>
    /// Decides the next step once a step answered or a due retry came (<paramref name="due"/>: purchases the
    /// marketplace kept showing unpaid are paid again only then), and starts the payments if it is <see cref="NextStep.Pay"/>.
    /// </summary>
    public NextStep Continue(DateTime now, DeferralOptions retry, bool due)
    {
        if (DeferredUntil is not null)
            return NextStep.Wait;
        if (PurchasesToFetch.Any())
            return NextStep.Fetch;
        if (StopRequested is not null)
            return NextStep.Stop;
        if (!due && Purchases.Exists(p => p.Status == PurchaseStatus.Planned && p.PaymentAttempts >= MaxPaymentAttempts))
        {
            // The marketplace kept failing a payment: it (and nothing else) is paid again later, until the workflow timeout.
            Defer(LastErrorType ?? ErrorTypes.PaymentError, LastError ?? "A purchase could not be paid for", now, retry);
            return NextStep.Wait;
        }

        return StartPayments(now) > 0 ? NextStep.Pay : NextStep.Report;
    }

    /// <summary>
    /// Puts every planned purchase that the budget still allows in <see cref="PurchaseStatus.Paying"/> (plan order)
    /// and writes it to the audit trail before any money moves; returns how many.
    /// </summary>
    int StartPayments(DateTime now)
    {
        var started = 0;
        foreach (var purchase in InPlanOrder(Purchases.Where(p => p.Status == PurchaseStatus.Planned)).ToList())
        {
            if (purchase.Price > Budget - Committed)
            {
                purchase.Status = PurchaseStatus.OverBudget;
                continue;
            }

            purchase.Status = PurchaseStatus.Paying;
            started++;
            Audit(AuditActions.PaymentAttempted, now, outcome: purchase.PaymentAttempts == 0 ? "ordered" : $"ordered again (attempt {purchase.PaymentAttempts + 1})", purchase: purchase);
        }

        return started;
    }

    /// <summary>
    /// Records what the payment step reported. A purchase it does not mention (its reply was lost or belongs to an
    /// earlier round) may have been charged: it is unconfirmed, to be settled by fetching it. The step handed over its
    /// lease and its claims with its answer: they end here, in the transaction that records it.
    /// </summary>
    public void RecordPayments(IEnumerable<PaymentOutcome> outcomes, DateTime now)
    {
        StepSucceeded();
        StepLeaseUntil = null;
        foreach (var claimed in Purchases.Where(p => p.PaymentClaimedUntil is not null))
            claimed.PaymentClaimedUntil = null;
        foreach (var outcome in outcomes)
        {
            if (Purchases.Find(p => p.ItemId == outcome.ItemId) is not { Status: PurchaseStatus.Paying } purchase)
                continue;
            if (outcome.Result != PaymentResult.NotMade)
                purchase.PaymentAttempts++;
            switch (outcome.Result)
            {
                case PaymentResult.Paid:
                    RecordReceipt(purchase, outcome.Reference, outcome.Network, outcome.Payer);
                    RecordPaid(purchase, now, purchase.PaymentReference is null ? "paid" : $"paid: {Receipt(purchase)}");
                    // An x402 payment pays and fetches in one request: the data came with it.
                    if (outcome.Data is not null)
                        RecordData(purchase, outcome.Data, outcome.DataSha256, now);
                    break;
                case PaymentResult.Declined:
                    purchase.Status = PurchaseStatus.Skipped;
                    purchase.SkipReason = Cut(outcome.Reason ?? "the seller's terms changed at pay time", ResearchTaskPurchase.MaxSkipReasonLength);
                    Audit(AuditActions.PaymentRefused, now, outcome: $"declined: {purchase.SkipReason}", purchase: purchase);
                    break;
                case PaymentResult.Refused:
                    purchase.Status = PurchaseStatus.Planned;
                    Audit(AuditActions.PaymentRefused, now, outcome: outcome.Reason, purchase: purchase);
                    StopWith(ErrorTypes.PaymentError, outcome.Reason ?? $"The payment for marketplace item {purchase.ItemId} was refused");
                    break;
                case PaymentResult.NotMade:
                    MarkUnconfirmed(purchase, outcome.Reason ?? "the payment was not made now", now, failed: false);
                    break;
                default:
                    MarkUnconfirmed(purchase, outcome.Reason ?? "the payment's outcome is unknown", now);
                    break;
            }
        }

        foreach (var purchase in PurchasesBeingPaid.ToList())
            MarkUnconfirmed(purchase, "the payment step did not report it", now, failed: false);
    }

    /// <summary>The payment step crashed after its retries: what it was paying may have been charged.</summary>
    public void RecordPaymentsUnknown(string reason, DateTime now)
    {
        foreach (var purchase in PurchasesBeingPaid.ToList())
        {
            purchase.PaymentAttempts++;
            MarkUnconfirmed(purchase, reason, now);
        }
    }

    /// <summary>
    /// Records what the fetching step found: data settles a payment as paid; 402 sends an unconfirmed purchase back
    /// to be paid again (same key), and fails a confirmed one; a fetch that failed is made again later.
    /// </summary>
    public void RecordFetches(IEnumerable<FetchedItem> fetched, DateTime now, DeferralOptions retry)
    {
        FetchedItem? fetchAgain = null;
        foreach (var item in fetched)
        {
            if (Purchases.Find(p => p.ItemId == item.ItemId) is not { Status: PurchaseStatus.Paid or PurchaseStatus.Unconfirmed } purchase)
                continue;
            var error = item.Error ?? $"Data of marketplace item {item.ItemId} could not be fetched";
            switch (item.Result)
            {
                case ItemFetchResult.Fetched:
                    RecordReceipt(purchase, item.Reference, item.Network, item.Payer);
                    RecordPaid(purchase, now, purchase.PaymentReference is null || purchase.Status == PurchaseStatus.Paid
                        ? "settled: the item's data came back"
                        : $"settled: the item's data came back: {Receipt(purchase)}");
                    RecordData(purchase, item.Data, item.DataSha256, now);
                    break;
                case ItemFetchResult.Unpaid:
                    Audit(AuditActions.ItemFetched, now, outcome: "unpaid (402)", purchase: purchase);
                    if (purchase.Status == PurchaseStatus.Unconfirmed)
                        purchase.Status = PurchaseStatus.Planned;
                    else
                        StopWith(ErrorTypes.PaymentError, $"Data of marketplace item {item.ItemId}: the marketplace still asks for payment");
                    break;
                case ItemFetchResult.Failed when purchase.Status == PurchaseStatus.Unconfirmed:
                    // Until an unconfirmed payment is settled the task cannot end with a true account of what it spent.
                    if (++purchase.SettlementChecks < MaxSettlementChecks)
                        fetchAgain ??= item;
                    else
                        StopWith(item.ErrorType ?? ErrorTypes.DataError, $"The payment for marketplace item {item.ItemId} could not be settled: {error}");
                    break;
                case ItemFetchResult.Failed:
                    StopWith(item.ErrorType ?? ErrorTypes.DataError, error);
                    break;
                default:
                    // Failed for now: fetched again later; while a payment is unconfirmed, past the workflow timeout too.
                    fetchAgain ??= item;
                    break;
            }
        }

        if (fetchAgain is not null && PurchasesToFetch.Any())
        {
            Defer(fetchAgain.ErrorType ?? ErrorTypes.DataError, fetchAgain.Error ?? "A fetch failed", now, retry);
            return;
        }

        // The fetches answered: a payment's error stays the task's last error only while a payment that was made shows unpaid.
        DeferredUntil = null;
        Deferrals = 0;
        var paymentFailing = LastErrorType == ErrorTypes.PaymentError && Purchases.Exists(p => p.Status == PurchaseStatus.Planned && p.PaymentAttempts > 0);
        if (!paymentFailing && StopRequested != StopReason.Failed)
            (LastErrorType, LastError) = (null, null);
    }

    /// <summary>The fetching step failed as a whole (for example, the task holds no token): every fetch failed for good.</summary>
    public void RecordFetchFailed(ResearchStepFailed failure, DateTime now, DeferralOptions retry) =>
        RecordFetches([.. PurchasesToFetch.Select(p => new FetchedItem(p.ItemId, ItemFetchResult.Failed, ErrorType: failure.ErrorType, Error: failure.Message))], now, retry);

    void RecordPaid(ResearchTaskPurchase purchase, DateTime now, string outcome)
    {
        if (purchase.Status is PurchaseStatus.Paid or PurchaseStatus.Fetched)
            return;

        purchase.Status = PurchaseStatus.Paid;
        purchase.PaidAt = now;
        Spent = checked(Spent + purchase.Price);
        Audit(AuditActions.PaymentSettled, now, outcome: outcome, purchase: purchase);
    }

    void RecordData(ResearchTaskPurchase purchase, string? data, string? sha256, DateTime now)
    {
        purchase.Status = PurchaseStatus.Fetched;
        purchase.Data = data ?? "{}";
        purchase.DataSha256 = sha256 is { Length: 64 } digest ? digest : Sha256(purchase.Data);
        Audit(AuditActions.ItemFetched, now, outcome: "data received", purchase: purchase);
    }

    /// <summary>Keeps what the seller returned for a payment (the first receipt read wins), cut to its columns.</summary>
    static void RecordReceipt(ResearchTaskPurchase purchase, string? reference, string? network, string? payer)
    {
        if (purchase.PaymentReference is not null || reference is null)
            return;
        purchase.PaymentReference = Cut(reference, ResearchTaskPurchase.MaxReferenceLength);
        purchase.PaymentNetwork = network is null ? null : Cut(network, ResearchTaskPurchase.MaxNetworkLength);
        purchase.Payer = payer is { Length: 42 } ? payer : null;
    }

    /// <summary>A receipt as the audit trail shows it: the reference, and for x402 the network it settled on.</summary>
    static string Receipt(ResearchTaskPurchase purchase) =>
        purchase.PaymentNetwork is null ? purchase.PaymentReference! : $"transaction {purchase.PaymentReference} on {purchase.PaymentNetwork}";

    void MarkUnconfirmed(ResearchTaskPurchase purchase, string reason, DateTime now, bool failed = true)
    {
        // Why the payment failed is the error the task ends with if paying keeps failing until its timeout.
        reason = ErrorText(reason);
        if (failed && StopRequested != StopReason.Failed)
        {
            LastErrorType = ErrorTypes.PaymentError;
            LastError = reason;
        }

        purchase.Status = PurchaseStatus.Unconfirmed;
        Audit(AuditActions.PaymentUnconfirmed, now, outcome: reason, purchase: purchase);
    }

    /// <summary>A step failed for good: the task ends Failed with it once nothing is in flight (the first error wins).</summary>
    void StopWith(string errorType, string message)
    {
        if (StopRequested is not null)
            return;
        StopRequested = StopReason.Failed;
        LastErrorType = errorType;
        LastError = ErrorText(message);
    }

    static IEnumerable<ResearchTaskPurchase> InPlanOrder(IEnumerable<ResearchTaskPurchase> purchases) =>
        purchases.OrderByDescending(p => p.Score).ThenBy(p => p.ItemId);
}
