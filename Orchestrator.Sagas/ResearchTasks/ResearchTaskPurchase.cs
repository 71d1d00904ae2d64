namespace Orchestrator.Sagas.ResearchTasks;

public class ResearchTaskPurchase
{
    public Guid TaskId { get; set; }
    public int ItemId { get; set; }
    public string Title { get; set; } = null!;
    public string Company { get; set; } = null!;
    public long Price { get; set; }

    /// <summary>Relevance to the task's theme, as the planner weighed it.</summary>
    public double Score { get; set; }

    /// <summary>Derived from the task and the item, so every retry of this purchase carries the same key.</summary>
    public string IdempotencyKey { get; set; } = null!;

    public PurchaseStatus Status { get; set; }

    /// <summary>Payments started for this purchase, all under <see cref="IdempotencyKey"/>.</summary>
    public int PaymentAttempts { get; set; }

    /// <summary>Reads of the item made to learn whether an unconfirmed payment went through.</summary>
    public int SettlementChecks { get; set; }
    public DateTime? PaidAt { get; set; }

    /// <summary>
    /// Until when a payer holds this purchase: set by the payment step (a conditional update, with the step's lease)
    /// before its first payment, cleared by the saga when it records the step's answer, or left to expire. While it
    /// holds, no other delivery pays it.
    /// </summary>
    public DateTime? PaymentClaimedUntil { get; set; }

    /// <summary>The item's data (a JSON object) once read with the payment token.</summary>
    public string? Data { get; set; }

    /// <summary>The SHA-256 (hex) of the bytes the marketplace delivered: what a dispute can prove was bought.</summary>
    public string? DataSha256 { get; set; }

    /// <summary>What the seller returned for the payment (its charge id), when it said.</summary>
    public string? PaymentReference { get; set; }

    /// <summary>Which marketplace sold it (its address): an item is reused only from the same one.</summary>
    public string? Marketplace { get; set; }

    /// <summary>The owner's earlier task that bought a <see cref="PurchaseStatus.Reused"/> item.</summary>
    public Guid? ReusedFrom { get; set; }

    /// <summary>
    /// x402: the amount the seller quoted, in the token's atomic units (a decimal string); no payment signs more.
    /// Null for the seed's dialect.
    /// </summary>
    public string? X402Amount { get; set; }

    /// <summary>
    /// x402: the signed payment (base64 JSON, sent in <see cref="X402PaymentHeader"/>), written by the payment step
    /// before it is first sent, never by the saga, and sent unchanged on every retry: one nonce per purchase. It is
    /// replaced only once its authorization has expired unsettled (<see cref="X402PaymentValidBefore"/>).
    /// </summary>
    public string? X402Payment { get; set; }

    public string? X402PaymentHeader { get; set; }

    public DateTime? X402PaymentValidBefore { get; set; }

    /// <summary>The network an x402 payment settled on (CAIP-2), from the seller's <c>PAYMENT-RESPONSE</c>.</summary>
    public string? PaymentNetwork { get; set; }

    /// <summary>The account an x402 payment was settled from, as the seller reported it.</summary>
    public string? Payer { get; set; }

    public bool IsX402 => X402Amount is not null;

    public const int MaxReferenceLength = 200;
    public const int MaxX402AmountLength = 78;
    public const int MaxNetworkLength = 64;
    public const int MaxMarketplaceLength = 500;

    /// <summary>Why a <see cref="PurchaseStatus.Skipped"/> item cannot be bought, as discovery found it.</summary>
    public string? SkipReason { get; set; }

    public const int MaxSkipReasonLength = 500;

    /// <summary>What the <c>title</c> and <c>company</c> columns hold.</summary>
    public const int MaxTextLength = 500;

    /// <summary>Why a purchase that was not made was left out, for the report.</summary>
    public string WhyNotBought(long budget) => Status switch
    {
        PurchaseStatus.Skipped => SkipReason ?? "the marketplace's answer about it could not be trusted",
        PurchaseStatus.Reused => $"already owned: bought in task {ReusedFrom}",
        PurchaseStatus.OverBudget => $"costs {Price}, more than the budget of {budget} allows",
        PurchaseStatus.NotChosen when Score <= 0 => "not relevant to the theme",
        PurchaseStatus.NotChosen => "the budget buys more relevance without it",
        _ => "the task stopped before buying it",
    };
}

public enum PurchaseStatus
{
    Planned,
    Paying,

    /// <summary>The payment's outcome is unknown until the item is read with the token: 200 paid, 402 not.</summary>
    Unconfirmed,
    Paid,
    Fetched,

    /// <summary>Costs more than the budget leaves.</summary>
    OverBudget,

    /// <summary>Affordable, but the best set the budget allows leaves it out (or it is not relevant).</summary>
    NotChosen,

    /// <summary>
    /// Never priced: the marketplace's answer about it was unusable (no valid price, 200 without payment, a
    /// redirect, a body over the cap). <see cref="ResearchTaskPurchase.SkipReason"/> says which.
    /// </summary>
    Skipped,

    /// <summary>
    /// Bought by the same owner from the same marketplace within <c>Purchases:ReuseFor</c>: not paid again, its data
    /// read from that purchase (<see cref="ResearchTaskPurchase.ReusedFrom"/>).
    /// </summary>
    Reused,
}
