using System.Net;
using System.Numerics;
using System.Text.Json;
using Orchestrator.Workflow.Marketplace;
using Refit;

namespace Orchestrator.Workflow.X402;

/// <summary>
/// Buys an x402 item: pays and fetches it in one request. The payment is signed once per purchase and stored with it
/// before it is first sent (<see cref="ResearchTaskPurchase.X402Payment"/>); every retry, and every fetch that settles
/// an unknown outcome, sends that same payment again, so one purchase never has two nonces: a settled nonce cannot
/// settle twice, and the seller answers a payment it settled from its <c>payment-identifier</c> record.
/// <para>
/// A stored payment is replaced only when its authorization has expired (<c>validBefore</c> passed, so nobody can
/// settle it any more) <em>and</em> the seller, sent it again, says it did not settle it: a 402 rather than its
/// recorded 200, "nonce already used", or 409. The new payment carries the same payment identifier, so a seller
/// that did settle the first refuses the second (409) instead of charging it.
/// </para>
/// </summary>
public sealed class X402Purchases(IMarketplaceApi marketplace, X402Quoter quoter, OrchestratorDbContext db, TimeProvider clock, IX402Signer? signer = null)
{
    public const string WalletMissing = "x402 wallet not configured";

    /// <summary>The seller's reason when a payment's nonce was settled before (@x402/evm's).</summary>
    const string NonceUsed = "nonce_already_used";

    /// <summary>What a payment sent came to.</summary>
    enum Answer
    {
        /// <summary>Settled and fetched.</summary>
        Delivered,

        /// <summary>The seller did not settle it (402): nothing was charged.</summary>
        NotSettled,

        /// <summary>The seller asks more than the quote now (402).</summary>
        PriceRaised,

        /// <summary>It settled before, but this answer carries no data (nonce already used, or 409).</summary>
        SettledWithoutData,
    }

    sealed record Sent(Answer Answer, string? Reason = null, string? Data = null, string? Sha256 = null, X402Receipt? Receipt = null);

    /// <summary>A purchase's signed payment as stored: the header to send it in, its value, and until when it can settle.</summary>
    public sealed record StoredPayment(string Header, string Value, DateTime? ValidBefore);

    /// <summary>
    /// Pays (and fetches) one purchase, sending its <paramref name="stored"/> payment when one was (read with
    /// <see cref="StoredPaymentsAsync"/> when the step began: a payment stored since by another payer wins when this
    /// one would store its own); a failure to reach the seller throws, as the seed's <c>/pay</c> does.
    /// </summary>
    public async Task<PaymentOutcome> PayAsync(Guid taskId, ItemPayment payment, StoredPayment? stored, CancellationToken cancellationToken)
    {
        var what = $"x402 payment of {payment.Amount} for marketplace item {payment.ItemId}";
        for (var signed = 0; ; signed++)
        {
            if (stored is null)
            {
                var (fresh, declined) = await SignAsync(taskId, payment, what, cancellationToken);
                if (declined is not null)
                    return new PaymentOutcome(payment.ItemId, PaymentResult.Declined, declined);
                stored = fresh!;
            }

            var sent = await SendAsync(payment.ItemId, stored, payment.X402Amount, what, cancellationToken);
            switch (sent.Answer)
            {
                case Answer.Delivered:
                    return new PaymentOutcome(payment.ItemId, PaymentResult.Paid, Reference: sent.Receipt?.Transaction,
                        Network: sent.Receipt?.Network, Payer: sent.Receipt?.Payer, Data: sent.Data, DataSha256: sent.Sha256);
                case Answer.PriceRaised:
                    return new PaymentOutcome(payment.ItemId, PaymentResult.Declined, $"{what}: {sent.Reason}");
                case Answer.SettledWithoutData:
                    // Paid for sure, but not delivered: fetching it again is the saga's to do.
                    return new PaymentOutcome(payment.ItemId, PaymentResult.Paid);
                case Answer.NotSettled when signed == 0 && await ForgetIfExpiredAsync(taskId, payment.ItemId, stored, cancellationToken):
                    stored = null;
                    continue;
                default:
                    return new PaymentOutcome(payment.ItemId, PaymentResult.Refused, $"{what}: the seller refused it: {sent.Reason}");
            }
        }
    }

    /// <summary>
    /// Fetches an x402 purchase by sending its stored payment (<see cref="StoredPaymentsAsync"/>) again: the data when it
    /// settled (now or before), unpaid when it never did (or was never signed, so never sent).
    /// </summary>
    public async Task<FetchedItem> FetchAsync(Guid taskId, int itemId, StoredPayment? stored, CancellationToken cancellationToken)
    {
        var what = $"Data of marketplace item {itemId} (x402)";
        if (stored is null)
            return new FetchedItem(itemId, ItemFetchResult.Unpaid);

        var sent = await SendAsync(itemId, stored, quoted: null, what, cancellationToken);
        switch (sent.Answer)
        {
            case Answer.Delivered:
                return new FetchedItem(itemId, ItemFetchResult.Fetched, sent.Data, DataSha256: sent.Sha256,
                    Reference: sent.Receipt?.Transaction, Network: sent.Receipt?.Network, Payer: sent.Receipt?.Payer);
            case Answer.SettledWithoutData:
                return new FetchedItem(itemId, ItemFetchResult.Failed, ErrorType: ErrorTypes.DataError, Error: $"{what}: {sent.Reason}");
            default:
                await ForgetIfExpiredAsync(taskId, itemId, stored, cancellationToken);
                return new FetchedItem(itemId, ItemFetchResult.Unpaid);
        }
    }

    /// <summary>The x402 purchases of a task, in one read: each item's stored payment, or null where none was signed yet.</summary>
    public async Task<IReadOnlyDictionary<int, StoredPayment?>> StoredPaymentsAsync(Guid taskId, CancellationToken cancellationToken) =>
        await Purchase(taskId).Where(p => p.X402Amount != null)
            .Select(p => new
            {
                p.ItemId,
                Stored = p.X402Payment == null ? null : new StoredPayment(p.X402PaymentHeader!, p.X402Payment, p.X402PaymentValidBefore),
            })
            .ToDictionaryAsync(p => p.ItemId, p => p.Stored, cancellationToken);

    /// <summary>
    /// Quotes the item again (nothing is signed above the first quote), signs, and stores the payment before it is
    /// sent; if another payer stored one first, that one is the purchase's payment.
    /// </summary>
    async Task<(StoredPayment? Payment, string? Declined)> SignAsync(Guid taskId, ItemPayment payment, string what, CancellationToken cancellationToken)
    {
        if (signer is null)
            return (null, WalletMissing);
        if (!AtomicAmount.TryParse(payment.X402Amount, out var quoted))
            return (null, $"{what}: the quote is not an amount");

        var response = await ExternalCall.Run(ErrorTypes.PaymentError, $"{what}: the quote",
            () => marketplace.GetCompanyDetail(payment.ItemId, paymentToken: null, cancellationToken), cancellationToken);
        if (!response.Is(HttpStatusCode.PaymentRequired))
        {
            if (response.StatusCode is not { } status || status >= HttpStatusCode.InternalServerError)
                throw ExternalCall.Unexpected(ErrorTypes.PaymentError, what, response);
            return (null, $"{what}: asked to pay, the seller answered HTTP {(int)status}");
        }

        var quote = quoter.Quote(PaymentRequiredParser.Parse(response));
        if (quote.Offer is not { } offer)
            return (null, $"{what}: {quote.Reason}");
        if (offer.Amount > quoted)
            return (null, $"{what}: {Raised(offer.Amount, quoted)}");

        var signed = await new X402PaymentBuilder(signer, clock).BuildAsync(offer, payment.IdempotencyKey, cancellationToken);
        var validBefore = DateTimeOffset.FromUnixTimeSeconds(signed.ValidBefore).UtcDateTime;
        var stored = await Purchase(taskId, payment.ItemId).Where(p => p.X402Payment == null)
            .ExecuteUpdateAsync(p => p
                .SetProperty(x => x.X402PaymentHeader, signed.HeaderName)
                .SetProperty(x => x.X402Payment, signed.HeaderValue)
                .SetProperty(x => x.X402PaymentValidBefore, validBefore), cancellationToken);
        // Ours is stored, or another payer's was first: then that one is read and sent.
        return (stored == 1 ? new StoredPayment(signed.HeaderName, signed.HeaderValue, validBefore) : await StoredAsync(taskId, payment.ItemId, cancellationToken), null);
    }

    async Task<Sent> SendAsync(int itemId, StoredPayment payment, string? quoted, string what, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [payment.Header] = payment.Value };
        var response = await ExternalCall.Run(ErrorTypes.PaymentError, what,
            () => marketplace.GetCompanyDetailPaying(itemId, headers, cancellationToken), cancellationToken, hasEffect: true);

        if (response.Is(HttpStatusCode.OK))
        {
            if (response.Content.ValueKind != JsonValueKind.Object)
                return new Sent(Answer.SettledWithoutData, "the seller sent no JSON object");
            var receipt = Header(response, X402Headers.PaymentResponse) ?? Header(response, X402Headers.PaymentResponseV1);
            return new Sent(Answer.Delivered, Data: UntrustedText.CleanJson(response.Content),
                Sha256: ResearchTaskState.Sha256(response.Content.GetRawText()), Receipt: PaymentResponseDecoder.Decode(receipt, out _));
        }

        if (response.Is(HttpStatusCode.Conflict))
            return new Sent(Answer.SettledWithoutData, "the seller holds another payment under this purchase's payment identifier");
        if (!response.Is(HttpStatusCode.PaymentRequired))
            throw ExternalCall.Unexpected(ErrorTypes.PaymentError, what, response);

        var challenge = PaymentRequiredParser.Parse(response);
        var reason = UntrustedText.Clean(challenge.Error ?? challenge.Reason ?? "no reason given", PaymentRequiredParser.MaxErrorLength);
        if (reason.Contains(NonceUsed, StringComparison.OrdinalIgnoreCase))
            return new Sent(Answer.SettledWithoutData, $"the seller says this payment was settled before ({reason}) but sent no data");
        if (AtomicAmount.TryParse(quoted, out var limit) && quoter.Quote(challenge).Offer is { } asked && asked.Amount > limit)
            return new Sent(Answer.PriceRaised, Raised(asked.Amount, limit));
        return new Sent(Answer.NotSettled, reason);
    }

    /// <summary>
    /// Forgets a stored payment whose authorization expired, so that the purchase is signed again: only once the
    /// seller, sent it again, did not settle it (the caller's evidence), and only the payment that was sent.
    /// </summary>
    async Task<bool> ForgetIfExpiredAsync(Guid taskId, int itemId, StoredPayment payment, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (payment.ValidBefore is not { } validBefore || validBefore > now)
            return false;
        return await Purchase(taskId, itemId).Where(p => p.X402Payment == payment.Value)
            .ExecuteUpdateAsync(p => p
                .SetProperty(x => x.X402PaymentHeader, (string?)null)
                .SetProperty(x => x.X402Payment, (string?)null)
                .SetProperty(x => x.X402PaymentValidBefore, (DateTime?)null), cancellationToken) == 1;
    }

    async Task<StoredPayment?> StoredAsync(Guid taskId, int itemId, CancellationToken cancellationToken) =>
        await Purchase(taskId, itemId).Where(p => p.X402Payment != null)
            .Select(p => new StoredPayment(p.X402PaymentHeader!, p.X402Payment!, p.X402PaymentValidBefore))
            .FirstOrDefaultAsync(cancellationToken);

    IQueryable<ResearchTaskPurchase> Purchase(Guid taskId) =>
        db.Set<ResearchTaskPurchase>().AsNoTracking().Where(p => p.TaskId == taskId);

    IQueryable<ResearchTaskPurchase> Purchase(Guid taskId, int itemId) => Purchase(taskId).Where(p => p.ItemId == itemId);

    static string? Header(IApiResponse response, string name) =>
        response.Headers is { } headers && headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    static string Raised(BigInteger asked, BigInteger quoted) =>
        $"the seller now asks {AtomicAmount.Format(asked)} atomic units, more than the {AtomicAmount.Format(quoted)} it quoted";
}
