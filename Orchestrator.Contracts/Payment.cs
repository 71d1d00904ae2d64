namespace Orchestrator.Contracts;

// No message carries a voice id or a payment token: the consumers read them by task id from the database.
// A step handles the whole plan: one command pays every item ordered, one fetches them all back, so a task costs
// the same number of messages whatever it buys.

/// <summary>Ask the Payment Manager for one payment token bounded by the task's budget.</summary>
public sealed record RequestPaymentToken(Guid TaskId);

/// <summary>The task's payment token is issued and stored with the task.</summary>
public sealed record PaymentTokenIssued(Guid TaskId);

/// <summary>
/// Pay for these items in this order, each under its own idempotency key (the same on every retry of a purchase),
/// stopping at the first payment refused or left unconfirmed (the rest are reported <see cref="PaymentResult.NotMade"/>).
/// </summary>
public sealed record PayForItems(Guid TaskId, IReadOnlyList<ItemPayment> Payments);

/// <summary>One purchase to pay; <paramref name="X402Amount"/> is set for an x402 item (<see cref="SourceQuote.X402Amount"/>).</summary>
public sealed record ItemPayment(int ItemId, long Amount, string IdempotencyKey, string? X402Amount = null);

/// <summary>What became of each payment of a <see cref="PayForItems"/>, in its order.</summary>
public sealed record ItemPaymentsMade(Guid TaskId, IReadOnlyList<PaymentOutcome> Outcomes);

/// <summary>
/// One payment's result; <c>Reason</c> says why one was not <see cref="PaymentResult.Paid"/>, <c>Reference</c> what the
/// seller returned for a payment made (its charge id; for x402 the settlement's transaction, on <c>Network</c>, paid
/// by <c>Payer</c>). An x402 payment pays and fetches in one request: <c>Data</c> and <c>DataSha256</c> are then the
/// item's data, as <see cref="FetchedItem"/> carries it.
/// </summary>
public sealed record PaymentOutcome(
    int ItemId,
    PaymentResult Result,
    string? Reason = null,
    string? Reference = null,
    string? Network = null,
    string? Payer = null,
    string? Data = null,
    string? DataSha256 = null);

public enum PaymentResult
{
    /// <summary>The marketplace confirmed the charge.</summary>
    Paid,

    /// <summary>
    /// Unknown: the payment timed out or failed after its retries. The item is fetched with the token to learn whether
    /// it was paid.
    /// </summary>
    Unconfirmed,

    /// <summary>The marketplace answered and said no: nothing was charged under the key.</summary>
    Refused,

    /// <summary>
    /// Not made by this delivery of the command (an earlier payment stopped the step, or the task is stopping); an
    /// earlier delivery may have made it, so it is settled like an unconfirmed one.
    /// </summary>
    NotMade,

    /// <summary>
    /// Not paid, and not to be: the seller asked more than it quoted, or no longer offers an acceptable way to pay
    /// (x402). Nothing was signed above the quote; the item is left out with the reason.
    /// </summary>
    Declined,
}

/// <summary>
/// Fetch these paid (or maybe paid) items' data: with the task's payment token, or (x402) by sending the purchase's
/// stored payment again.
/// </summary>
public sealed record FetchItemsData(Guid TaskId, IReadOnlyList<int> ItemIds);

/// <summary>What each fetch of a <see cref="FetchItemsData"/> found.</summary>
public sealed record ItemsDataFetched(Guid TaskId, IReadOnlyList<FetchedItem> Items);

/// <summary>
/// One fetch's result: <c>Data</c> is the item's data as the marketplace returned it (a JSON object, as text) when
/// <see cref="ItemFetchResult.Fetched"/>, and <c>DataSha256</c> the digest of the bytes delivered; <c>ErrorType</c> (one of
/// <see cref="ErrorTypes"/>) and <c>Error</c> say why one failed. An x402 item is fetched by sending its stored payment
/// again: <c>Reference</c>, <c>Network</c> and <c>Payer</c> are then the settlement's receipt.
/// </summary>
public sealed record FetchedItem(
    int ItemId,
    ItemFetchResult Result,
    string? Data = null,
    string? ErrorType = null,
    string? Error = null,
    string? DataSha256 = null,
    string? Reference = null,
    string? Network = null,
    string? Payer = null);

public enum ItemFetchResult
{
    /// <summary>The item is paid: its data came back.</summary>
    Fetched,

    /// <summary>The marketplace still answers 402 with the task's token: it was not paid.</summary>
    Unpaid,

    /// <summary>The fetch failed for now (the marketplace is down, slow or behind an open circuit), or was not made.</summary>
    FailedForNow,

    /// <summary>The fetch failed for good (a redirect, a body over the cap, no JSON object).</summary>
    Failed,
}
