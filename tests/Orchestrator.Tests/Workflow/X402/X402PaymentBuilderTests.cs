using System.Numerics;
using System.Text;
using System.Text.Json;
using Nethereum.Signer.EIP712;
using Orchestrator.Workflow.X402;

namespace Orchestrator.Tests.Workflow.X402;

/// <summary>The payment sent for a quote: exactly the quoted amount to the payee, valid for the seller's timeout, under a fresh nonce.</summary>
public sealed class X402PaymentBuilderTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    const string Key = "task-3f2c0d9e-1c2b-4e5f-9a8b-7c6d5e4f3a2b-1";

    readonly X402PaymentBuilder _builder = new(new LocalKeySigner(LocalKeySignerTests.TestKey), new FixedClock(Now));

    static X402Offer Offer(string headerJson) =>
        new X402Quoter(new X402Options()).Quote(PaymentRequiredParser.Parse(X402Samples.Base64Of(headerJson), default)).Offer!;

    [Fact]
    public async Task The_v2_payload_echoes_the_sellers_entry_and_authorizes_exactly_the_quote()
    {
        var offer = Offer(X402Samples.PaymentRequiredV2Json);

        var payment = await _builder.BuildAsync(offer, Key, CancellationToken.None);

        Assert.Equal("PAYMENT-SIGNATURE", payment.HeaderName);
        using var sent = JsonDocument.Parse(Convert.FromBase64String(payment.HeaderValue));
        var root = sent.RootElement;
        Assert.Equal(2, root.GetProperty("x402Version").GetInt32());
        Assert.True(JsonElement.DeepEquals(offer.Accepted, root.GetProperty("accepted")));
        Assert.True(JsonElement.DeepEquals(offer.Resource!.Value, root.GetProperty("resource")));
        var authorization = root.GetProperty("payload").GetProperty("authorization");
        Assert.Equal(LocalKeySignerTests.TestAddress, authorization.GetProperty("from").GetString());
        Assert.Equal("0x5E11e4000000000000000000000000000000a402", authorization.GetProperty("to").GetString());
        Assert.Equal("10000000", authorization.GetProperty("value").GetString());
        Assert.Equal((Now.ToUnixTimeSeconds() - 600).ToString(System.Globalization.CultureInfo.InvariantCulture), authorization.GetProperty("validAfter").GetString());
        Assert.Equal((Now.ToUnixTimeSeconds() + 300).ToString(System.Globalization.CultureInfo.InvariantCulture), authorization.GetProperty("validBefore").GetString());
        Assert.Matches("^0x[0-9a-f]{64}$", authorization.GetProperty("nonce").GetString());
        Assert.Equal(payment.Nonce, authorization.GetProperty("nonce").GetString());
        Assert.Matches("^0x[0-9a-f]{130}$", root.GetProperty("payload").GetProperty("signature").GetString());
    }

    [Fact]
    public async Task The_signature_is_the_wallets_over_what_is_sent()
    {
        var offer = Offer(X402Samples.PaymentRequiredV2Json);

        var payment = await _builder.BuildAsync(offer, Key, CancellationToken.None);

        using var sent = JsonDocument.Parse(Convert.FromBase64String(payment.HeaderValue));
        var payload = sent.RootElement.GetProperty("payload");
        var authorization = payload.GetProperty("authorization");
        var signed = new TransferWithAuthorization("USDC", "2", 84532, "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
            authorization.GetProperty("from").GetString()!, authorization.GetProperty("to").GetString()!,
            BigInteger.Parse(authorization.GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            BigInteger.Parse(authorization.GetProperty("validAfter").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            BigInteger.Parse(authorization.GetProperty("validBefore").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
            authorization.GetProperty("nonce").GetString()!);
        var recovered = new Eip712TypedDataSigner().RecoverFromSignatureV4(LocalKeySigner.TypedData(signed), payload.GetProperty("signature").GetString()!);
        Assert.Equal(LocalKeySignerTests.TestAddress, recovered, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Each_payment_has_a_nonce_of_its_own()
    {
        var offer = Offer(X402Samples.PaymentRequiredV2Json);

        var nonces = new HashSet<string>();
        for (var i = 0; i < 20; i++)
            nonces.Add((await _builder.BuildAsync(offer, Key, CancellationToken.None)).Nonce);

        Assert.Equal(20, nonces.Count);
    }

    [Fact]
    public async Task The_payment_identifier_is_the_purchases_key_within_the_sellers_declaration()
    {
        var declared = Offer(X402Samples.PaymentRequiredV2Json);
        var undeclared = Offer(X402Samples.PaymentRequiredWith(X402Samples.Entry()));

        foreach (var offer in new[] { declared, undeclared })
        {
            var payment = await _builder.BuildAsync(offer, Key, CancellationToken.None);
            using var sent = JsonDocument.Parse(Convert.FromBase64String(payment.HeaderValue));
            var extension = sent.RootElement.GetProperty("extensions").GetProperty("payment-identifier");
            Assert.Equal(Key, extension.GetProperty("info").GetProperty("id").GetString());
            Assert.False(extension.GetProperty("info").GetProperty("required").GetBoolean());
        }
    }

    [Theory]
    [InlineData("short-key")]
    [InlineData("a key with spaces in it")]
    [InlineData("ключ-ключ-ключ-ключ")]
    public async Task A_key_that_is_no_payment_identifier_is_refused(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _builder.BuildAsync(Offer(X402Samples.PaymentRequiredV2Json), key, CancellationToken.None));
    }

    [Fact]
    public async Task An_x402_v1_offer_is_paid_with_X_PAYMENT_under_its_own_network_name()
    {
        var offer = new X402Quoter(new X402Options()).Quote(PaymentRequiredParser.Parse((string?)null, Encoding.UTF8.GetBytes(X402Samples.PaymentRequiredV1Json))).Offer!;

        var payment = await _builder.BuildAsync(offer, Key, CancellationToken.None);

        Assert.Equal("X-PAYMENT", payment.HeaderName);
        using var sent = JsonDocument.Parse(Convert.FromBase64String(payment.HeaderValue));
        Assert.Equal((1, "exact", "base-sepolia"), (sent.RootElement.GetProperty("x402Version").GetInt32(),
            sent.RootElement.GetProperty("scheme").GetString(), sent.RootElement.GetProperty("network").GetString()));
        Assert.Equal("2500000", sent.RootElement.GetProperty("payload").GetProperty("authorization").GetProperty("value").GetString());
        Assert.Equal(Now.ToUnixTimeSeconds() + 60, payment.ValidBefore);
    }

    sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
