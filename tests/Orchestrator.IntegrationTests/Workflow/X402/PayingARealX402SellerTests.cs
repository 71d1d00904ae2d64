using System.Text;
using Orchestrator.Workflow.X402;

namespace Orchestrator.IntegrationTests.Workflow.X402;

/// <summary>One x402 seller process for the tests of a class (none where Node is missing: the tests skip).</summary>
public sealed class X402SellerRun : IAsyncLifetime
{
    X402SellerProcess? _seller;

    public X402SellerProcess Seller => _seller ?? throw new InvalidOperationException("node is not installed");

    public async Task InitializeAsync()
    {
        if (NodeRequirement.Node is not null)
            _seller = await X402SellerProcess.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_seller is not null)
            await _seller.DisposeAsync();
    }
}

/// <summary>
/// The x402 groundwork against the real thing: @x402/express's 402 read by our parser, quoted, signed with our
/// signer (Nethereum), sent as PAYMENT-SIGNATURE and settled by a facilitator that checks the EIP-3009 signature for
/// real; the receipt read from PAYMENT-RESPONSE and checked against the seller's ledger. Each test buys its own item.
/// </summary>
public sealed class PayingARealX402SellerTests(X402SellerRun run) : IClassFixture<X402SellerRun>
{
    const string Key = "0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63";

    readonly LocalKeySigner _signer = new(Key);
    readonly X402Quoter _quoter = new(new X402Options());

    X402SellerProcess Seller => run.Seller;

    [NodeFact]
    public async Task Pays_once_reads_the_data_and_the_ledger_shows_our_signature_for_the_quote()
    {
        var (offer, payment) = await QuoteAndSignAsync(itemId: 1, IdempotencyKey(1));
        Assert.Equal(10, offer.Price);

        using var paid = await SendAsync(1, payment);

        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        Assert.Equal(1, JsonNode.Parse(await paid.Content.ReadAsStringAsync())!["id"]!.GetValue<int>());
        var receipt = PaymentResponseDecoder.Decode(paid, out var reason);
        Assert.True(receipt is not null, reason);
        Assert.Equal(("eip155:84532", _signer.Address), (receipt.Network, receipt.Payer));
        var settlement = Assert.Single(await SettlementsOfAsync(payment.Nonce));
        Assert.Equal(_signer.Address, settlement["from"]!.GetValue<string>());
        Assert.Equal(offer.PayTo, settlement["to"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(AtomicAmount.Format(offer.Amount), settlement["value"]!.GetValue<string>());
        Assert.Equal(receipt.Transaction, settlement["tx"]!.GetValue<string>());
    }

    [NodeFact]
    public async Task The_same_payload_sent_again_is_answered_again_and_settles_nothing_more()
    {
        var (_, payment) = await QuoteAndSignAsync(itemId: 2, IdempotencyKey(2));
        using var first = await SendAsync(2, payment);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        // The same payload (same payment-identifier): the seller's answer again, from its cache.
        using var again = await SendAsync(2, payment);
        // The same signed authorization without its identifier: the facilitator refuses the settled nonce.
        using var withoutIdentifier = await SendAsync(2, payment with { HeaderValue = WithoutExtensions(payment.HeaderValue) });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(PaymentResponseDecoder.Decode(first, out _), PaymentResponseDecoder.Decode(again, out _));
        Assert.Equal(HttpStatusCode.PaymentRequired, withoutIdentifier.StatusCode);
        var refusal = PaymentRequiredParser.Parse(withoutIdentifier, await withoutIdentifier.Content.ReadAsByteArrayAsync());
        Assert.Equal("invalid_exact_evm_nonce_already_used", refusal.Error);
        Assert.Single(await SettlementsOfAsync(payment.Nonce));
    }

    [NodeFact]
    public async Task A_response_lost_after_settling_is_recovered_by_sending_the_same_payload()
    {
        var (_, payment) = await QuoteAndSignAsync(itemId: 3, IdempotencyKey(3));
        await Seller.FaultsAsync(new { loseResponseOnce = true, items = Only(3) });
        try
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => SendAsync(3, payment, newConnection: true));
            var settled = Assert.Single(await SettlementsOfAsync(payment.Nonce));

            using var retry = await SendAsync(3, payment);

            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
            Assert.Equal(settled["tx"]!.GetValue<string>(), PaymentResponseDecoder.Decode(retry, out _)!.Transaction);
            Assert.Single(await SettlementsOfAsync(payment.Nonce));
        }
        finally
        {
            await Seller.FaultsAsync(null);
        }
    }

    [NodeFact]
    public async Task A_price_raised_at_pay_time_is_a_new_402_and_nothing_is_settled()
    {
        var (offer, payment) = await QuoteAndSignAsync(itemId: 4, IdempotencyKey(4));
        await Seller.FaultsAsync(new { raisePriceBy = 5, items = Only(4) });
        try
        {
            using var refused = await SendAsync(4, payment);

            Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
            var challenge = PaymentRequiredParser.Parse(refused, await refused.Content.ReadAsByteArrayAsync());
            Assert.Equal("No matching payment requirements", challenge.Error);
            Assert.Equal(offer.Price + 5, _quoter.Quote(challenge).Offer!.Price);
            Assert.Empty(await SettlementsOfAsync(payment.Nonce));
        }
        finally
        {
            await Seller.FaultsAsync(null);
        }
    }

    [NodeFact]
    public async Task Only_an_unsupported_network_offered_is_no_acceptable_quote()
    {
        await Seller.FaultsAsync(new { unsupportedNetwork = true, items = Only(5) });
        try
        {
            using var quote = await Seller.Client.GetAsync("/company/detail?id=5");
            var challenge = PaymentRequiredParser.Parse(quote, await quote.Content.ReadAsByteArrayAsync());

            var refused = _quoter.Quote(challenge);

            Assert.Equal(X402Dialect.V2, challenge.Dialect);
            Assert.False(refused.IsAcceptable);
            Assert.StartsWith("no acceptable x402 network/asset: ", refused.Reason, StringComparison.Ordinal);
            Assert.Contains("network=eip155:137", refused.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await Seller.FaultsAsync(null);
        }
    }

    [NodeFact]
    public async Task A_seller_unavailable_before_settling_settles_once_when_it_is_back()
    {
        var (_, payment) = await QuoteAndSignAsync(itemId: 6, IdempotencyKey(6));
        await Seller.FaultsAsync(new { unavailableForSeconds = 2, items = Only(6) });
        try
        {
            using var unavailable = await SendAsync(6, payment);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
            Assert.Empty(await SettlementsOfAsync(payment.Nonce));

            await Task.Delay(TimeSpan.FromSeconds(2.2));
            using var paid = await SendAsync(6, payment);

            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
            Assert.Single(await SettlementsOfAsync(payment.Nonce));
        }
        finally
        {
            await Seller.FaultsAsync(null);
        }
    }

    [NodeFact]
    public async Task A_signature_by_another_key_than_the_payer_named_is_refused()
    {
        var (_, payment) = await QuoteAndSignAsync(itemId: 7, IdempotencyKey(7));
        // Claim to be another payer under our signature: the facilitator recovers the signer and refuses it.
        var forged = Rewrite(payment.HeaderValue, root => root["payload"]!["authorization"]!["from"] = "0x5E11e4000000000000000000000000000000a402");

        using var refused = await SendAsync(7, payment with { HeaderValue = forged });

        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Equal("invalid_exact_evm_signature", PaymentRequiredParser.Parse(refused, await refused.Content.ReadAsByteArrayAsync()).Error);
        Assert.Empty(await SettlementsOfAsync(payment.Nonce));
    }

    [NodeFact]
    public async Task A_signature_expired_before_it_arrived_settles_nothing_and_says_so()
    {
        // Signed as if 10 minutes ago (a Worker that was down): validBefore = then + 300 s, already past.
        var (_, payment) = await QuoteAndSignAsync(itemId: 9, IdempotencyKey(9), clock: new ShiftedClock(TimeSpan.FromMinutes(-10)));

        using var refused = await SendAsync(9, payment);

        Assert.Equal(HttpStatusCode.PaymentRequired, refused.StatusCode);
        Assert.Equal("invalid_exact_evm_payload_authorization_valid_before", PaymentRequiredParser.Parse(refused, await refused.Content.ReadAsByteArrayAsync()).Error);
        Assert.Empty(await SettlementsOfAsync(payment.Nonce));
    }

    [NodeFact]
    public async Task A_settled_payment_sent_again_after_it_expired_is_still_answered_from_its_identifier()
    {
        // validBefore 14 s from now: valid when first sent (the facilitator wants at least 6 s left), then let expire.
        var (_, payment) = await QuoteAndSignAsync(itemId: 10, IdempotencyKey(10), clock: new ShiftedClock(TimeSpan.FromSeconds(14 - 300)));
        using var paid = await SendAsync(10, payment);
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);

        var expired = DateTimeOffset.FromUnixTimeSeconds(payment.ValidBefore - 5);
        if (expired > DateTimeOffset.UtcNow)
            await Task.Delay(expired - DateTimeOffset.UtcNow);
        using var again = await SendAsync(10, payment);
        // Without its identifier the seller can only say that the authorization expired, not that it was settled:
        // an expired refusal alone does not prove a payment never settled.
        using var withoutIdentifier = await SendAsync(10, payment with { HeaderValue = WithoutExtensions(payment.HeaderValue) });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(PaymentResponseDecoder.Decode(paid, out _), PaymentResponseDecoder.Decode(again, out _));
        Assert.Equal("invalid_exact_evm_payload_authorization_valid_before",
            PaymentRequiredParser.Parse(withoutIdentifier, await withoutIdentifier.Content.ReadAsByteArrayAsync()).Error);
        Assert.Single(await SettlementsOfAsync(payment.Nonce));
    }

    [NodeFact]
    public async Task An_x402_v1_seller_is_paid_with_X_PAYMENT_once()
    {
        await Seller.FaultsAsync(new { x402v1 = true, items = Only(8) });
        try
        {
            var (offer, payment) = await QuoteAndSignAsync(itemId: 8, IdempotencyKey(8), X402Dialect.V1);
            Assert.Equal(("X-PAYMENT", 16L), (payment.HeaderName, offer.Price));

            using var paid = await SendAsync(8, payment);
            using var again = await SendAsync(8, payment);

            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
            var receipt = PaymentResponseDecoder.Decode(paid, out var reason);
            Assert.True(receipt is not null, reason);
            Assert.Equal(_signer.Address, receipt.Payer);
            var settlement = Assert.Single(await SettlementsOfAsync(payment.Nonce));
            Assert.Equal((_signer.Address, "16000000", receipt.Transaction),
                (settlement["from"]!.GetValue<string>(), settlement["value"]!.GetValue<string>(), settlement["tx"]!.GetValue<string>()));
            Assert.Equal(HttpStatusCode.PaymentRequired, again.StatusCode);
            Assert.Equal("invalid_exact_evm_nonce_already_used", PaymentRequiredParser.Parse(again, await again.Content.ReadAsByteArrayAsync()).Error);
        }
        finally
        {
            await Seller.FaultsAsync(null);
        }
    }

    async Task<(X402Offer Offer, X402Payment Payment)> QuoteAndSignAsync(int itemId, string idempotencyKey, X402Dialect dialect = X402Dialect.V2, TimeProvider? clock = null)
    {
        using var quote = await Seller.Client.GetAsync($"/company/detail?id={itemId}");
        Assert.Equal(HttpStatusCode.PaymentRequired, quote.StatusCode);
        var challenge = PaymentRequiredParser.Parse(quote, await quote.Content.ReadAsByteArrayAsync());
        Assert.Equal(dialect, challenge.Dialect);
        var offer = _quoter.Quote(challenge).Offer;
        Assert.NotNull(offer);
        var payment = await new X402PaymentBuilder(_signer, clock ?? TimeProvider.System).BuildAsync(offer, idempotencyKey, CancellationToken.None);
        Assert.Equal(offer.Amount, payment.Value);
        return (offer, payment);
    }

    /// <summary>
    /// The paid read. <paramref name="newConnection"/>: on a connection of its own, which HttpClient does not retry by
    /// itself when it drops (as it may a reused one), so that a lost answer is seen as lost.
    /// </summary>
    async Task<HttpResponseMessage> SendAsync(int itemId, X402Payment payment, bool newConnection = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Seller.Address, $"/company/detail?id={itemId}"));
        request.Headers.Add(payment.HeaderName, payment.HeaderValue);
        if (!newConnection)
            return await Seller.Client.SendAsync(request);
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };
        return await client.SendAsync(request);
    }

    async Task<List<JsonNode>> SettlementsOfAsync(string nonce) =>
        [.. (await Seller.SettlementsAsync()).Where(s => string.Equals(s["nonce"]!.GetValue<string>(), nonce, StringComparison.OrdinalIgnoreCase))];

    /// <summary>The items a fault is limited to: this one.</summary>
    static int[] Only(int itemId) => [itemId];

    /// <summary>A purchase's key as the workflow makes it: task id and item id.</summary>
    static string IdempotencyKey(int itemId) => $"{Guid.NewGuid()}-{itemId}";

    /// <summary>The system's clock, shifted: signatures made "earlier" or "later".</summary>
    sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }

    static string WithoutExtensions(string header) => Rewrite(header, root => root.AsObject().Remove("extensions"));

    static string Rewrite(string header, Action<JsonNode> change)
    {
        var root = JsonNode.Parse(Convert.FromBase64String(header))!;
        change(root);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(root.ToJsonString()));
    }
}
