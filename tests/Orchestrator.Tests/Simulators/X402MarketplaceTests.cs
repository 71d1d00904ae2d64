using System.Globalization;
using System.Numerics;
using System.Text;
using Microsoft.Extensions.Configuration;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;
using Orchestrator.Simulators;
using Orchestrator.Workflow.X402;

namespace Orchestrator.Tests.Simulators;

/// <summary>
/// Items sold over x402 v2 next to the seed's dialect: the 402 the Worker's parser and quoter accept, payments signed
/// by the Worker's own client, verified for real and settled once in the simulators' ledger.
/// </summary>
public sealed class X402MarketplaceTests : IAsyncLifetime
{
    /// <summary>Keys for tests only (they hold nothing anywhere).</summary>
    const string PayerKey = "0x1111111111111111111111111111111111111111111111111111111111111111";
    const string OtherKey = "0x2222222222222222222222222222222222222222222222222222222222222222";

    const int X402Item = 2;
    const int X402ItemPrice = 8;
    const string PayTo = "0x5E11e4000000000000000000000000000000a402";

    readonly SimulatorsFixture _simulators = new();
    readonly LocalKeySigner _payer = new(PayerKey);

    public async Task InitializeAsync()
    {
        await _simulators.InitializeAsync();
        _simulators.Host.Behaviour.X402Items = new HashSet<int> { X402Item, 4 };
    }

    public Task DisposeAsync() => _simulators.DisposeAsync();

    IReadOnlyList<LedgerCharge> Charges => _simulators.Host.Ledger.Charges;

    [Fact]
    public async Task An_unpaid_read_is_a_402_whose_PAYMENT_REQUIRED_the_worker_quotes_at_the_catalog_price()
    {
        using var unpaid = await _simulators.Marketplace.GetAsync($"/company/detail?id={X402Item}");
        var body = await unpaid.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.PaymentRequired, unpaid.StatusCode);
        Assert.Equal("{}", Encoding.UTF8.GetString(body));
        var challenge = PaymentRequiredParser.Parse(unpaid, body);
        Assert.Equal(X402Dialect.V2, challenge.Dialect);
        Assert.Equal("PAYMENT-SIGNATURE header is required", challenge.Error);
        Assert.EndsWith($"/company/detail?id={X402Item}", challenge.Resource!.Value.GetProperty("url").GetString(), StringComparison.Ordinal);
        var offer = new X402Quoter(new X402Options()).Quote(challenge).Offer;
        Assert.NotNull(offer);
        Assert.Equal((X402ItemPrice, new BigInteger(8_000_000)), (offer.Price, offer.Amount));
        Assert.Equal(("eip155:84532", 84532L, X402Options.UsdcOnBaseSepolia, PayTo), (offer.Network, offer.ChainId, offer.Asset, offer.PayTo));
        Assert.Equal(("USDC", "2", 300L), (offer.TokenName, offer.TokenVersion, offer.MaxTimeoutSeconds));
    }

    [Fact]
    public async Task A_signed_payment_gets_the_data_a_receipt_and_one_charge_under_its_payment_identifier()
    {
        var id = NewIdentifier();
        var payment = await SignAsync(await OfferAsync(X402Item), id);

        using var paid = await ReadAsync(X402Item, payment.HeaderValue);

        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        var data = JsonNode.Parse(await paid.Content.ReadAsStringAsync())!;
        Assert.Equal((X402Item, "Tesla Inc"), (data["id"]!.GetValue<int>(), data["company"]!.GetValue<string>()));
        var receipt = PaymentResponseDecoder.Decode(paid, out var reason);
        Assert.True(receipt is not null, reason);
        Assert.Matches("^0x[0-9a-f]{64}$", receipt.Transaction);
        Assert.Equal(("eip155:84532", _payer.Address), (receipt.Network, receipt.Payer));
        var charge = Assert.Single(Charges);
        Assert.Equal((receipt.Transaction, $"x402:{_payer.Address}", 8L, (int?)X402Item, id),
            (charge.ChargeId, charge.TokenId, charge.Amount, charge.ItemId, charge.IdempotencyKey));

        var ledger = await _simulators.PaymentManager.GetFromJsonAsync<JsonNode>("/ledger");
        var listed = Assert.Single(ledger!["charges"]!.AsArray())!;
        Assert.Equal((receipt.Transaction, id, 8), (listed["charge_id"]!.GetValue<string>(), listed["idempotency_key"]!.GetValue<string>(), listed["amount"]!.GetValue<int>()));
    }

    [Fact]
    public async Task The_same_payload_again_gets_the_same_answer_and_is_not_settled_twice()
    {
        var payment = await SignAsync(await OfferAsync(X402Item), NewIdentifier());
        using var first = await ReadAsync(X402Item, payment.HeaderValue);

        using var again = await ReadAsync(X402Item, payment.HeaderValue);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, again.StatusCode));
        Assert.Equal(Header(first, "PAYMENT-RESPONSE"), Header(again, "PAYMENT-RESPONSE"));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        Assert.Single(Charges);
    }

    [Fact]
    public async Task Another_payload_under_a_settled_payment_identifier_is_409()
    {
        var offer = await OfferAsync(X402Item);
        var id = NewIdentifier();
        using var first = await ReadAsync(X402Item, (await SignAsync(offer, id)).HeaderValue);

        using var other = await ReadAsync(X402Item, (await SignAsync(offer, id)).HeaderValue);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Conflict), (first.StatusCode, other.StatusCode));
        Assert.Equal("payment-identifier already used with another payment", JsonNode.Parse(await other.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
        Assert.Single(Charges);
    }

    [Fact]
    public async Task A_settled_nonce_under_a_new_payment_identifier_is_refused()
    {
        var payment = await SignAsync(await OfferAsync(X402Item), NewIdentifier());
        using var first = await ReadAsync(X402Item, payment.HeaderValue);
        var reused = Edit(payment.HeaderValue, root => root["extensions"]!["payment-identifier"]!["info"]!["id"] = NewIdentifier());

        using var refused = await ReadAsync(X402Item, reused);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("invalid_exact_evm_nonce_already_used", await RefusalAsync(refused));
        Assert.Single(Charges);
    }

    [Fact]
    public async Task A_signature_by_another_key_claiming_the_payers_address_is_refused()
    {
        var payment = await SignAsync(await OfferAsync(X402Item), NewIdentifier());
        var authorization = JsonNode.Parse(Convert.FromBase64String(payment.HeaderValue))!["payload"]!["authorization"]!;
        var claimed = new TransferWithAuthorization("USDC", "2", 84532, X402Options.UsdcOnBaseSepolia,
            _payer.Address, PayTo, Number(authorization, "value"), Number(authorization, "validAfter"), Number(authorization, "validBefore"),
            authorization["nonce"]!.GetValue<string>());
        var forged = new Eip712TypedDataSigner().SignTypedDataV4(LocalKeySigner.TypedData(claimed), new EthECKey(OtherKey));
        var header = Edit(payment.HeaderValue, root => root["payload"]!["signature"] = forged);

        using var refused = await ReadAsync(X402Item, header);

        Assert.Equal(_payer.Address, authorization["from"]!.GetValue<string>());
        Assert.Equal("invalid_exact_evm_payload_signature", await RefusalAsync(refused));
        Assert.Empty(Charges);
    }

    [Fact]
    public async Task An_authorization_of_another_value_than_the_price_is_refused()
    {
        var offer = await OfferAsync(X402Item);
        // Signed, and echoing the seller's entry, but for one atomic unit more than it asks.
        var payment = await SignAsync(offer with { Amount = offer.Amount + 1 }, NewIdentifier());

        using var refused = await ReadAsync(X402Item, payment.HeaderValue);

        Assert.Equal("invalid_exact_evm_payload_authorization_value_mismatch", await RefusalAsync(refused));
        Assert.Empty(Charges);
    }

    [Fact]
    public async Task An_expired_authorization_is_refused()
    {
        var anHourAgo = new FixedClock(DateTimeOffset.UtcNow.AddHours(-1));
        var payment = await SignAsync(await OfferAsync(X402Item), NewIdentifier(), anHourAgo);

        using var refused = await ReadAsync(X402Item, payment.HeaderValue);

        Assert.Equal("invalid_exact_evm_payload_authorization_valid_before", await RefusalAsync(refused));
        Assert.Empty(Charges);
    }

    [Fact]
    public async Task While_payments_are_down_a_paid_read_is_503_and_settles_nothing_then_the_same_payload_pays()
    {
        var payment = await SignAsync(await OfferAsync(X402Item), NewIdentifier());
        _simulators.Host.Behaviour.PaymentsDown = true;

        using var down = await ReadAsync(X402Item, payment.HeaderValue);
        var chargesWhileDown = Charges.Count;
        _simulators.Host.Behaviour.PaymentsDown = false;
        using var up = await ReadAsync(X402Item, payment.HeaderValue);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, 0), (down.StatusCode, chargesWhileDown));
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        Assert.Single(Charges);
    }

    [Fact]
    public async Task A_payment_settled_before_a_lost_answer_is_answered_from_the_cache_on_retry()
    {
        var payment = await SignAsync(await OfferAsync(X402Item), NewIdentifier());
        _simulators.Host.Behaviour.FailureRateAfterEffect = 1;
        using var lost = await ReadAsync(X402Item, payment.HeaderValue);
        _simulators.Host.Behaviour.FailureRateAfterEffect = 0;

        using var retried = await ReadAsync(X402Item, payment.HeaderValue);

        Assert.Equal((HttpStatusCode.InternalServerError, HttpStatusCode.OK), (lost.StatusCode, retried.StatusCode));
        Assert.Equal(Assert.Single(Charges).ChargeId, PaymentResponseDecoder.Decode(retried, out _)?.Transaction);
    }

    [Fact]
    public async Task Seed_items_keep_the_seed_dialect_and_x402_items_refuse_a_seed_payment()
    {
        using var unpaid = await _simulators.Marketplace.GetAsync("/company/detail?id=1");
        Assert.Equal(HttpStatusCode.PaymentRequired, unpaid.StatusCode);
        Assert.False(unpaid.Headers.Contains("PAYMENT-REQUIRED"));
        Assert.Equal(10, JsonNode.Parse(await unpaid.Content.ReadAsStringAsync())!["price"]!.GetValue<int>());

        using var tokenResponse = await _simulators.PaymentManager.PostAsJsonAsync("/token", new { budget = 50, voice_id = "test_voice" });
        var token = JsonNode.Parse(await tokenResponse.Content.ReadAsStringAsync())!["token_id"]!.GetValue<string>();
        using var refused = await _simulators.Marketplace.PostAsJsonAsync("/pay", new { tokenId = token, amount = X402ItemPrice, itemId = X402Item });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Empty(Charges);

        using var paid = await _simulators.Marketplace.PostAsJsonAsync("/pay", new { tokenId = token, amount = 10, itemId = 1 });
        using var read = new HttpRequestMessage(HttpMethod.Get, "/company/detail?id=1");
        read.Headers.Add("x-payment-token", token);
        using var data = await _simulators.Marketplace.SendAsync(read);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (paid.StatusCode, data.StatusCode));
        Assert.Equal((token, 10L, (int?)1), (Assert.Single(Charges).TokenId, Charges[0].Amount, Charges[0].ItemId));
    }

    [Fact]
    public void Configuration_names_the_x402_items_and_the_payee()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Simulators:X402Items"] = "2, 4",
            ["Simulators:X402PayTo"] = "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359",
        }).Build();

        var behaviour = SimulatorBehaviour.FromConfiguration(configuration);
        var unset = SimulatorBehaviour.FromConfiguration(new ConfigurationBuilder().Build());

        Assert.Equal([2, 4], behaviour.X402Items.Order());
        Assert.Equal("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", behaviour.X402PayTo);
        Assert.Empty(unset.X402Items);
        Assert.Equal(PayTo, unset.X402PayTo);
    }

    static string NewIdentifier() => $"x402-test-{Guid.NewGuid():N}";

    async Task<X402Offer> OfferAsync(int itemId)
    {
        using var unpaid = await _simulators.Marketplace.GetAsync($"/company/detail?id={itemId}");
        var quote = new X402Quoter(new X402Options()).Quote(PaymentRequiredParser.Parse(unpaid, await unpaid.Content.ReadAsByteArrayAsync()));
        return quote.Offer ?? throw new InvalidOperationException(quote.Reason);
    }

    Task<X402Payment> SignAsync(X402Offer offer, string id, TimeProvider? clock = null) =>
        new X402PaymentBuilder(_payer, clock ?? TimeProvider.System).BuildAsync(offer, id, CancellationToken.None);

    Task<HttpResponseMessage> ReadAsync(int itemId, string paymentSignature)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/company/detail?id={itemId}");
        request.Headers.Add("PAYMENT-SIGNATURE", paymentSignature);
        return _simulators.Marketplace.SendAsync(request);
    }

    /// <summary>A refused payment's 402: the <c>error</c> of its <c>PAYMENT-REQUIRED</c>.</summary>
    static async Task<string?> RefusalAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        return PaymentRequiredParser.Parse(response, await response.Content.ReadAsByteArrayAsync()).Error;
    }

    static string Header(HttpResponseMessage response, string name) => Assert.Single(response.Headers.GetValues(name));

    static string Edit(string header, Action<JsonNode> edit)
    {
        var root = JsonNode.Parse(Convert.FromBase64String(header))!;
        edit(root);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(root.ToJsonString()));
    }

    static BigInteger Number(JsonNode node, string name) => BigInteger.Parse(node[name]!.GetValue<string>(), CultureInfo.InvariantCulture);

    sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
