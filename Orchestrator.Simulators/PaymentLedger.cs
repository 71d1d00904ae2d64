using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Simulators;

/// <summary>One charge on a payment token.</summary>
public sealed record LedgerCharge(string ChargeId, string TokenId, long Amount, int? ItemId, string? IdempotencyKey, DateTimeOffset At);

/// <summary>What <see cref="PaymentLedger.Pay"/> did.</summary>
public enum PaymentOutcome
{
    Charged,
    AlreadyCharged,
    UnknownToken,
    OverBudget,
}

/// <summary>An x402 transfer the marketplace's facilitator verified and asks the ledger to settle.</summary>
/// <param name="Asset">The token contract.</param>
/// <param name="From">The payer, as the authorization names it.</param>
/// <param name="Nonce">The EIP-3009 nonce (32 bytes, 0x-hex): settled once per token and payer.</param>
/// <param name="Amount">The item's price in budget units.</param>
/// <param name="ItemId">The item bought.</param>
/// <param name="PaymentIdentifier">The payload's <c>payment-identifier</c>, if any: the charge's idempotency key.</param>
/// <param name="PayloadHash">A hash of the decoded payload, to tell a replay from another payment under the same identifier.</param>
public sealed record X402Transfer(string Asset, string From, string Nonce, long Amount, int ItemId, string? PaymentIdentifier, string PayloadHash);

/// <summary>What <see cref="PaymentLedger.SettleX402"/> or <see cref="PaymentLedger.FindX402"/> found or did.</summary>
public enum X402Outcome
{
    /// <summary>Nothing was settled under that payment identifier (<see cref="PaymentLedger.FindX402"/> only).</summary>
    NotFound,

    /// <summary>The transfer was settled now: a new charge.</summary>
    Settled,

    /// <summary>The same payload was settled before under its payment identifier: that charge, nothing new.</summary>
    Replayed,

    /// <summary>Another payload was settled before under the payment identifier: nothing settled.</summary>
    IdentifierConflict,

    /// <summary>The authorization's nonce was settled before (for that token and payer): nothing settled.</summary>
    NonceUsed,
}

/// <summary>
/// The money: tokens with their budgets, the charges made on them and the (token, item) pairs they bought.
/// One lock makes every payment atomic, so concurrent retries of one purchase charge once.
/// </summary>
public sealed class PaymentLedger(TimeProvider clock)
{
    /// <summary>The token id of x402 charges: this prefix and the payer's address.</summary>
    public const string X402TokenPrefix = "x402:";

    readonly Lock _lock = new();
    readonly Dictionary<string, Token> _tokens = new(StringComparer.Ordinal);
    readonly List<LedgerCharge> _charges = [];
    readonly HashSet<string> _x402Nonces = new(StringComparer.Ordinal);
    readonly Dictionary<string, (LedgerCharge Charge, string PayloadHash)> _x402ByIdentifier = new(StringComparer.Ordinal);

    /// <summary>Every charge so far, in order.</summary>
    public IReadOnlyList<LedgerCharge> Charges
    {
        get
        {
            lock (_lock)
                return [.. _charges];
        }
    }

    /// <summary>What each token issued so far may spend, by token id.</summary>
    public IReadOnlyDictionary<string, long> TokenBudgets
    {
        get
        {
            lock (_lock)
                return _tokens.ToDictionary(t => t.Key, t => t.Value.Budget, StringComparer.Ordinal);
        }
    }

    public string IssueToken(long budget)
    {
        var tokenId = $"tok_{Guid.NewGuid():N}";
        lock (_lock)
            _tokens[tokenId] = new Token(budget);
        return tokenId;
    }

    /// <summary>
    /// Charges <paramref name="amount"/> to the token, unless the same idempotency key or the same item was
    /// charged already (then that charge is returned) or the token's budget would be exceeded.
    /// </summary>
    public (PaymentOutcome Outcome, LedgerCharge? Charge, long Remaining) Pay(string tokenId, long amount, int? itemId, string? idempotencyKey)
    {
        lock (_lock)
        {
            if (!_tokens.TryGetValue(tokenId, out var token))
                return (PaymentOutcome.UnknownToken, null, 0);

            var earlier = idempotencyKey is not null && token.ByKey.TryGetValue(idempotencyKey, out var byKey) ? byKey
                : itemId is { } item && token.ByItem.TryGetValue(item, out var byItem) ? byItem
                : null;
            if (earlier is not null)
                return (PaymentOutcome.AlreadyCharged, earlier, token.Budget - token.Spent);

            if (token.Spent + amount > token.Budget)
                return (PaymentOutcome.OverBudget, null, token.Budget - token.Spent);

            var charge = new LedgerCharge($"ch_{Guid.NewGuid():N}", tokenId, amount, itemId, idempotencyKey, clock.GetUtcNow());
            _charges.Add(charge);
            token.Spent += amount;
            if (idempotencyKey is not null)
                token.ByKey[idempotencyKey] = charge;
            if (itemId is { } paidItem)
                token.ByItem[paidItem] = charge;
            else
                token.Credit += amount;
            return (PaymentOutcome.Charged, charge, token.Budget - token.Spent);
        }
    }

    /// <summary>
    /// True when the token bought the item: paid for it by id, or (as the seed's clients pay, without an item)
    /// holds an unassigned credit that covers the price, which this read then spends on the item.
    /// </summary>
    public bool HasBought(string tokenId, int itemId, long price)
    {
        lock (_lock)
        {
            if (!_tokens.TryGetValue(tokenId, out var token))
                return false;
            if (token.ByItem.ContainsKey(itemId) || token.CreditedItems.Contains(itemId))
                return true;
            if (token.Credit < price)
                return false;

            token.Credit -= price;
            token.CreditedItems.Add(itemId);
            return true;
        }
    }

    /// <summary>
    /// Settles an x402 transfer as a charge of <c>x402:&lt;from&gt;</c>, its id a made-up transaction hash: unless its
    /// payment identifier was settled before (then that charge, when the payload is the same, or a conflict) or its
    /// nonce was (per token and payer, as an EIP-3009 token refuses a used authorization).
    /// </summary>
    public (X402Outcome Outcome, LedgerCharge? Charge) SettleX402(X402Transfer transfer)
    {
        ArgumentNullException.ThrowIfNull(transfer);
        lock (_lock)
        {
            if (FindX402Locked(transfer.PaymentIdentifier, transfer.PayloadHash) is { Outcome: not X402Outcome.NotFound } earlier)
                return earlier;

            var nonceKey = $"{transfer.Asset}:{transfer.From}:{transfer.Nonce}".ToUpperInvariant();
            if (!_x402Nonces.Add(nonceKey))
                return (X402Outcome.NonceUsed, null);

            var transaction = "0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"settlement:{_charges.Count}:{nonceKey}")));
            var charge = new LedgerCharge(transaction, X402TokenPrefix + transfer.From, transfer.Amount, transfer.ItemId, transfer.PaymentIdentifier, clock.GetUtcNow());
            _charges.Add(charge);
            if (transfer.PaymentIdentifier is { } identifier)
                _x402ByIdentifier[identifier] = (charge, transfer.PayloadHash);
            return (X402Outcome.Settled, charge);
        }
    }

    /// <summary>
    /// What was settled under an x402 payment identifier: <see cref="X402Outcome.Replayed"/> and its charge when the
    /// payload is the same, <see cref="X402Outcome.IdentifierConflict"/> when another, else <see cref="X402Outcome.NotFound"/>.
    /// </summary>
    public (X402Outcome Outcome, LedgerCharge? Charge) FindX402(string? paymentIdentifier, string payloadHash)
    {
        lock (_lock)
            return FindX402Locked(paymentIdentifier, payloadHash);
    }

    (X402Outcome Outcome, LedgerCharge? Charge) FindX402Locked(string? paymentIdentifier, string payloadHash) =>
        paymentIdentifier is null || !_x402ByIdentifier.TryGetValue(paymentIdentifier, out var earlier) ? (X402Outcome.NotFound, null)
        : string.Equals(earlier.PayloadHash, payloadHash, StringComparison.Ordinal) ? (X402Outcome.Replayed, earlier.Charge)
        : (X402Outcome.IdentifierConflict, null);

    sealed class Token(long budget)
    {
        public long Budget { get; } = budget;
        public long Spent { get; set; }
        public long Credit { get; set; }
        public Dictionary<string, LedgerCharge> ByKey { get; } = new(StringComparer.Ordinal);
        public Dictionary<int, LedgerCharge> ByItem { get; } = [];
        public HashSet<int> CreditedItems { get; } = [];
    }
}
