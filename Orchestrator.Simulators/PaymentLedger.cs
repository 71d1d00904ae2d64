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

/// <summary>
/// The money: tokens with their budgets, the charges made on them and the (token, item) pairs they bought.
/// One lock makes every payment atomic, so concurrent retries of one purchase charge once.
/// </summary>
public sealed class PaymentLedger(TimeProvider clock)
{
    readonly Lock _lock = new();
    readonly Dictionary<string, Token> _tokens = new(StringComparer.Ordinal);
    readonly List<LedgerCharge> _charges = [];

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
