using Orchestrator.Workflow.X402;

namespace Orchestrator.Tests.Workflow.X402;

/// <summary>The receipt of a settled payment, read from PAYMENT-RESPONSE (or v1's X-PAYMENT-RESPONSE), safely.</summary>
public sealed class PaymentResponseDecoderTests
{
    [Fact]
    public void Reads_the_transaction_network_and_payer_of_a_real_sellers_answer()
    {
        var receipt = PaymentResponseDecoder.Decode(X402Samples.Base64Of(X402Samples.PaymentResponseJson), out var reason);

        Assert.Null(reason);
        Assert.Equal(new X402Receipt("0x6ca6042812c160d58b3855264cb3485c8ecaf30e6592efc66fee2641e2ce24b6", "eip155:84532", "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"), receipt);
    }

    [Fact]
    public void Reads_either_header_from_an_HTTP_answer()
    {
        using var v2 = new HttpResponseMessage(HttpStatusCode.OK);
        v2.Headers.Add("PAYMENT-RESPONSE", X402Samples.Base64Of(X402Samples.PaymentResponseJson));
        using var v1 = new HttpResponseMessage(HttpStatusCode.OK);
        v1.Headers.Add("X-PAYMENT-RESPONSE", X402Samples.Base64Of(X402Samples.PaymentResponseJson));
        using var none = new HttpResponseMessage(HttpStatusCode.OK);

        Assert.NotNull(PaymentResponseDecoder.Decode(v2, out _));
        Assert.NotNull(PaymentResponseDecoder.Decode(v1, out _));
        Assert.Null(PaymentResponseDecoder.Decode(none, out var reason));
        Assert.Equal("no PAYMENT-RESPONSE header", reason);
    }

    [Theory]
    [InlineData(null, "no PAYMENT-RESPONSE header")]
    [InlineData("", "no PAYMENT-RESPONSE header")]
    [InlineData("@@@", "not base64")]
    [InlineData("bm90IGpzb24=", "not a settlement")]                                      // "not json"
    [InlineData("WzFd", "not a settlement")]                                              // [1]
    [InlineData("bnVsbA==", "not a settlement")]                                          // null
    public void A_broken_header_gives_no_receipt_and_a_reason(string? header, string reason)
    {
        Assert.Null(PaymentResponseDecoder.Decode(header, out var why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"success":false,"errorReason":"invalid_signature","transaction":"","network":"eip155:84532"}""", "no settlement")]
    [InlineData("""{"success":"true","transaction":"0xab","network":"eip155:84532"}""", "not a settlement")]
    [InlineData("""{"success":true,"network":"eip155:84532"}""", "no usable transaction")]
    [InlineData("""{"success":true,"transaction":"0xab\nforged","network":"eip155:84532"}""", "no usable transaction")]
    [InlineData("""{"success":true,"transaction":"0xab","network":""}""", "no usable network")]
    [InlineData("""{"success":true,"transaction":"0xab","network":{"a":1}}""", "not a settlement")]
    public void An_unsettled_or_unusable_settlement_gives_no_receipt(string json, string reason)
    {
        Assert.Null(PaymentResponseDecoder.Decode(X402Samples.Base64Of(json), out var why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_or_deep_header_is_refused_and_a_bad_payer_left_out()
    {
        var huge = new string('A', PaymentResponseDecoder.MaxHeaderLength + 4);
        var deep = X402Samples.Base64Of("""{"success":true,"transaction":"0xab","network":"eip155:1","extra":""" + new string('[', 200) + new string(']', 200) + "}");
        var long1 = X402Samples.Base64Of($$"""{"success":true,"transaction":"0x{{new string('a', 200)}}","network":"eip155:1"}""");
        var badPayer = X402Samples.Base64Of("""{"success":true,"transaction":"0xab","network":"eip155:1","payer":"me"}""");

        Assert.Null(PaymentResponseDecoder.Decode(huge, out _));
        Assert.Null(PaymentResponseDecoder.Decode(deep, out _));
        Assert.Null(PaymentResponseDecoder.Decode(long1, out _));
        Assert.Null(PaymentResponseDecoder.Decode(badPayer, out _)!.Payer);
    }
}
