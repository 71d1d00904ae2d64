namespace Orchestrator.Contracts;

// No message carries a voice id or a payment token: the consumers read them by task id from the database.

/// <summary>Ask the Payment Manager for one payment token bounded by the task's budget.</summary>
public sealed record RequestPaymentToken(Guid TaskId);

/// <summary>The task's payment token is issued and stored with the task.</summary>
public sealed record PaymentTokenIssued(Guid TaskId);

/// <summary>Pay for one item; every retry of the same purchase carries the same idempotency key.</summary>
public sealed record PayForItem(Guid TaskId, int ItemId, long Amount, string IdempotencyKey);

public sealed record ItemPaid(Guid TaskId, int ItemId, long Amount);

/// <summary>
/// The payment's outcome is unknown (it timed out, failed after its retries, or was held back because the task
/// is stopping): the item is read with the token to learn whether it was paid, before anything is paid again.
/// </summary>
public sealed record ItemPaymentUnconfirmed(Guid TaskId, int ItemId, string Reason);

/// <summary>Read a paid item again, this time with the task's payment token.</summary>
public sealed record FetchItemData(Guid TaskId, int ItemId);

/// <summary>The item's data as the marketplace returned it (a JSON object, as text).</summary>
public sealed record ItemDataFetched(Guid TaskId, int ItemId, string Data);

/// <summary>The marketplace still answers 402 for the item with the task's token: it was not paid.</summary>
public sealed record ItemFoundUnpaid(Guid TaskId, int ItemId);
