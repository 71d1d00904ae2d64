using System.Numerics;
using System.Text;
using Orchestrator.Workflow.X402;

namespace Orchestrator.Tests.Workflow.X402;

/// <summary>What may be paid (exact scheme, allowed network and token) and what it costs in budget units.</summary>
public sealed class X402QuoterTests
{
    static readonly X402Quoter Quoter = new(new X402Options());

    static X402Quote QuoteOf(params string[] accepts) =>
        Quoter.Quote(PaymentRequiredParser.Parse(X402Samples.Base64Of(X402Samples.PaymentRequiredWith(accepts)), default));

    [Fact]
    public void The_real_sellers_offer_is_acceptable_at_its_price_in_USDC()
    {
        var quote = Quoter.Quote(PaymentRequiredParser.Parse(X402Samples.Base64Of(X402Samples.PaymentRequiredV2Json), default));

        var offer = Assert.IsType<X402Offer>(quote.Offer);
        Assert.Equal(10, offer.Price);
        Assert.Equal(new BigInteger(10_000_000), offer.Amount);
        Assert.Equal(("eip155:84532", 84532L, 2), (offer.Network, offer.ChainId, offer.X402Version));
        Assert.Equal(("USDC", "2", 300L), (offer.TokenName, offer.TokenVersion, offer.MaxTimeoutSeconds));
        Assert.Equal("0x5E11e4000000000000000000000000000000a402", offer.PayTo);
    }

    [Theory]
    [InlineData("10000000", 10)]
    [InlineData("10000001", 11)]
    [InlineData("9999999", 10)]
    [InlineData("1", 1)]
    [InlineData("1000000", 1)]
    [InlineData("1000001", 2)]
    [InlineData("9223372036854775807000000", 9223372036854775807)]
    public void The_price_is_the_amount_in_budget_units_rounded_up(string amount, long price)
    {
        Assert.Equal(price, QuoteOf(X402Samples.Entry(amount)).Offer?.Price);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData("1e7")]
    [InlineData("10.5")]
    [InlineData("0010")]
    [InlineData(" 10")]
    [InlineData("0x10")]
    [InlineData("１０")]                                     // full-width digits
    [InlineData("9223372036854775807000001")]                // a price a 64-bit number cannot hold
    [InlineData("115792089237316195423570985008687907853269984665640564039457584007913129639936")] // 2^256
    [InlineData("1000000000000000000000000000000000000000000000000000000000000000000000000000000")] // 79 digits
    public void An_absurd_or_malformed_amount_is_not_acceptable(string amount)
    {
        var quote = QuoteOf(X402Samples.Entry(amount));

        Assert.False(quote.IsAcceptable);
        Assert.StartsWith("no acceptable x402 network/asset: ", quote.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Prices_are_computed_with_the_configured_units_and_never_overflow()
    {
        var perUnit = new X402Quoter(new X402Options { AtomicUnitsPerBudgetUnit = 1 });
        var huge = new X402Quoter(new X402Options { AtomicUnitsPerBudgetUnit = long.MaxValue });

        Assert.Equal(long.MaxValue, perUnit.BudgetUnits(long.MaxValue));
        Assert.Null(perUnit.BudgetUnits(new BigInteger(long.MaxValue) + 1));
        Assert.Null(perUnit.BudgetUnits(AtomicAmount.MaxUInt256));
        Assert.Equal(1, huge.BudgetUnits(1));
        Assert.Equal(2, huge.BudgetUnits(new BigInteger(long.MaxValue) + 1));
        Assert.Null(perUnit.BudgetUnits(0));
        Assert.Null(perUnit.BudgetUnits(-1));
    }

    [Fact]
    public void Of_several_acceptable_offers_the_cheapest_is_taken()
    {
        var quote = QuoteOf(
            X402Samples.Entry("12000000"),
            X402Samples.Entry("11000000", network: "eip155:8453", asset: X402Options.UsdcOnBase),
            X402Samples.Entry("1000000", network: "eip155:137", asset: "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359"));

        Assert.Equal(("eip155:8453", 11L), (quote.Offer!.Network, quote.Offer.Price));
    }

    [Theory]
    [InlineData("upto", "eip155:84532", X402Options.UsdcOnBaseSepolia)]
    [InlineData("EXACT", "eip155:84532", X402Options.UsdcOnBaseSepolia)]
    [InlineData("exact", "eip155:137", X402Options.UsdcOnBaseSepolia)]
    [InlineData("exact", "eip155:084532", X402Options.UsdcOnBaseSepolia)]
    [InlineData("exact", "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", X402Options.UsdcOnBaseSepolia)]
    [InlineData("exact", "base-sepolia", X402Options.UsdcOnBaseSepolia)]          // a v1 name in a v2 answer
    [InlineData("exact", "eip155:84532", "0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359")]
    [InlineData("exact", "eip155:84532", "0x036CbD53842c5426634e7929541eC2318f3dCF7")]
    public void Only_the_exact_scheme_on_an_allowed_network_in_an_allowed_token_is_acceptable(string scheme, string network, string asset)
    {
        var quote = QuoteOf(X402Samples.Entry(scheme: scheme, network: network, asset: asset));

        Assert.Null(quote.Offer);
        Assert.StartsWith("no acceptable x402 network/asset: ", quote.Reason, StringComparison.Ordinal);
        Assert.Contains($"network={network}", quote.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"10000000\"", true)]
    [InlineData("10000000", false)]
    [InlineData("null", false)]
    [InlineData("[\"10000000\"]", false)]
    public void An_amount_is_a_decimal_string_as_the_wire_writes_it(string amount, bool acceptable)
    {
        var entry = X402Samples.Entry().Replace("\"amount\":\"10000000\"", $"\"amount\":{amount}", StringComparison.Ordinal);

        Assert.Equal(acceptable, QuoteOf(entry).IsAcceptable);
    }

    [Fact]
    public void Token_addresses_match_whatever_their_case()
    {
        Assert.True(QuoteOf(X402Samples.Entry(asset: X402Options.UsdcOnBaseSepolia.ToLowerInvariant())).IsAcceptable);
    }

    [Theory]
    [InlineData("payTo", "0x1234")]
    [InlineData("maxTimeoutSeconds", "0")]
    [InlineData("maxTimeoutSeconds", "-5")]
    [InlineData("maxTimeoutSeconds", "86401")]
    [InlineData("maxTimeoutSeconds", "\"300\"")]
    [InlineData("extra", "{}")]
    [InlineData("extra", """{"name":"USDC"}""")]
    [InlineData("extra", """{"name":"","version":"2"}""")]
    [InlineData("extra", "null")]
    public void An_offer_without_a_payee_a_sane_timeout_or_the_tokens_EIP712_domain_is_not_acceptable(string field, string value)
    {
        var entry = field switch
        {
            "payTo" => X402Samples.Entry(payTo: value),
            "maxTimeoutSeconds" => X402Samples.Entry(maxTimeoutSeconds: value),
            _ => X402Samples.Entry(extra: value),
        };

        Assert.False(QuoteOf(entry).IsAcceptable);
    }

    [Fact]
    public void The_reason_names_what_was_offered_as_clean_text_and_stays_short()
    {
        var hostile = X402Samples.Entry(network: "eip155:1\\u001b[31m\\nforged log line", amount: "1");
        var many = Enumerable.Repeat(X402Samples.Entry(network: "eip155:137"), 10).Append(hostile).ToArray();

        var polygon = QuoteOf(X402Samples.Entry(network: "eip155:137")).Reason!;
        var crowd = QuoteOf(many).Reason!;
        var forged = QuoteOf(hostile).Reason!;

        Assert.Equal($"no acceptable x402 network/asset: scheme=exact network=eip155:137 asset={X402Options.UsdcOnBaseSepolia} amount=10000000", polygon);
        Assert.EndsWith("; …", crowd, StringComparison.Ordinal);
        Assert.True(crowd.Length < 600, crowd);
        Assert.DoesNotContain('\u001b', forged);
        Assert.DoesNotContain('\n', forged);
    }

    [Fact]
    public void An_x402_v1_offer_is_read_from_maxAmountRequired_and_its_network_name()
    {
        var quote = Quoter.Quote(PaymentRequiredParser.Parse((string?)null, Encoding.UTF8.GetBytes(X402Samples.PaymentRequiredV1Json)));

        var offer = Assert.IsType<X402Offer>(quote.Offer);
        Assert.Equal((1, "eip155:84532", 84532L, 3L), (offer.X402Version, offer.Network, offer.ChainId, offer.Price));
    }

    [Fact]
    public void An_answer_that_is_not_x402_is_not_quoted()
    {
        Assert.False(Quoter.Quote(X402Challenge.NotX402).IsAcceptable);
        Assert.Equal("PAYMENT-REQUIRED is not base64", Quoter.Quote(PaymentRequiredParser.Parse("%%%", default)).Reason);
    }
}
