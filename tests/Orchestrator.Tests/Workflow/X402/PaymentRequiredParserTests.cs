using System.Text;
using Orchestrator.Workflow.X402;

namespace Orchestrator.Tests.Workflow.X402;

/// <summary>Which dialect a 402 speaks, read from its header and body, and never an exception on hostile input.</summary>
public sealed class PaymentRequiredParserTests
{
    [Fact]
    public void A_PAYMENT_REQUIRED_header_is_x402_v2_with_its_accepts_resource_and_extensions()
    {
        var challenge = PaymentRequiredParser.Parse(X402Samples.Base64Of(X402Samples.PaymentRequiredV2Json), "{}"u8);

        Assert.Equal(X402Dialect.V2, challenge.Dialect);
        var accepted = Assert.Single(challenge.Accepts);
        Assert.Equal("10000000", accepted.GetProperty("amount").GetString());
        Assert.Equal("http://127.0.0.1:4471/company/detail?id=1", challenge.Resource!.Value.GetProperty("url").GetString());
        Assert.True(challenge.Extensions!.Value.TryGetProperty("payment-identifier", out _));
        Assert.Equal("Payment required", challenge.Error);
        Assert.Null(challenge.Reason);
    }

    [Fact]
    public void The_header_wins_over_the_body()
    {
        var challenge = PaymentRequiredParser.Parse(X402Samples.Base64Of(X402Samples.PaymentRequiredV2Json), Encoding.UTF8.GetBytes(X402Samples.PaymentRequiredV1Json));

        Assert.Equal(X402Dialect.V2, challenge.Dialect);
    }

    [Fact]
    public void A_body_with_x402Version_1_and_accepts_is_x402_v1()
    {
        var challenge = PaymentRequiredParser.Parse((string?)null, Encoding.UTF8.GetBytes(X402Samples.PaymentRequiredV1Json));

        Assert.Equal(X402Dialect.V1, challenge.Dialect);
        Assert.Equal("2500000", Assert.Single(challenge.Accepts).GetProperty("maxAmountRequired").GetString());
    }

    [Fact]
    public void The_sellers_error_is_kept_as_clean_short_text()
    {
        var header = X402Samples.Base64Of($$"""{"x402Version":2,"error":"nonce\u001b[31m used\n{{new string('x', 500)}}","accepts":[{}]}""");

        var error = PaymentRequiredParser.Parse(header, default).Error!;

        Assert.StartsWith("nonce[31m used x", error, StringComparison.Ordinal);
        Assert.True(error.Length <= PaymentRequiredParser.MaxErrorLength, error);
    }

    [Theory]
    [InlineData("""{"price": 10}""")]
    [InlineData("""{"detail": "Payment Required"}""")]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("")]
    public void A_402_without_x402_is_the_seed_dialect(string body)
    {
        var challenge = PaymentRequiredParser.Parse((string?)null, Encoding.UTF8.GetBytes(body));

        Assert.Equal(X402Dialect.NotX402, challenge.Dialect);
    }

    [Fact]
    public void Reads_the_header_from_an_HTTP_answer_and_refuses_two_of_them()
    {
        using var one = new HttpResponseMessage(HttpStatusCode.PaymentRequired);
        one.Headers.Add("PAYMENT-REQUIRED", X402Samples.Base64Of(X402Samples.PaymentRequiredV2Json));
        using var two = new HttpResponseMessage(HttpStatusCode.PaymentRequired);
        two.Headers.Add("payment-required", [X402Samples.Base64Of(X402Samples.PaymentRequiredV2Json), X402Samples.Base64Of(X402Samples.PaymentRequiredV2Json)]);
        using var none = new HttpResponseMessage(HttpStatusCode.PaymentRequired);

        Assert.Equal(X402Dialect.V2, PaymentRequiredParser.Parse(one, "{}"u8).Dialect);
        Assert.Equal(X402Dialect.Invalid, PaymentRequiredParser.Parse(two, "{}"u8).Dialect);
        Assert.Equal(X402Dialect.NotX402, PaymentRequiredParser.Parse(none, """{"price":10}"""u8).Dialect);
    }

    public static TheoryData<string, string> HostileHeaders => new()
    {
        { "", "empty" },
        { "!!!not-base64!!!", "not base64" },
        { "eyJ4NDAy", "not a JSON object" },                                              // base64 of a cut JSON
        { "a", "not base64" },                                                             // one character left over
        { "ab=c", "not base64" },                                                          // padding inside
        { X402Samples.Base64Of("[1,2]"), "not a JSON object" },
        { X402Samples.Base64Of("\"text\""), "not a JSON object" },
        { X402Samples.Base64Of("""{"x402Version":2}"""), "no accepts" },
        { X402Samples.Base64Of("""{"x402Version":2,"accepts":[]}"""), "no accepts" },
        { X402Samples.Base64Of("""{"x402Version":2,"accepts":{}}"""), "no accepts" },
        { X402Samples.Base64Of("""{"x402Version":2,"accepts":[1]}"""), "no accepts" },
        { X402Samples.Base64Of($$"""{"x402Version":2,"accepts":[{{string.Join(",", Enumerable.Repeat("{}", PaymentRequiredParser.MaxAccepts + 1))}}]}"""), "no accepts" },
        { X402Samples.Base64Of("""{"x402Version":1,"accepts":[{}]}"""), "not x402 version 2" },
        { X402Samples.Base64Of("""{"x402Version":"2","accepts":[{}]}"""), "not x402 version 2" },
        { X402Samples.Base64Of("""{"x402Version":2e400,"accepts":[{}]}"""), "not x402 version 2" },
        { X402Samples.Base64Of("""{"accepts":[{}]}"""), "not x402 version 2" },
        { X402Samples.Base64Of("""{"x402Version":2,"accepts":[{}]} trailing"""), "not a JSON object" },
        { X402Samples.Base64Of("""{"x402Version":2,"accepts":[{}],}"""), "not a JSON object" },
        { X402Samples.Base64Of("""{"x402Version":2,"accepts":[{}]} // comment"""), "not a JSON object" },
        { X402Samples.Base64Of(new string('[', 10_000)), "not a JSON object" },
        { X402Samples.Base64Of("""{"x402Version":2,"accepts":[{"a":""" + new string('[', 100) + new string(']', 100) + "}]}"), "not a JSON object" },
        { Convert.ToBase64String([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), "not a JSON object" },  // {"\xff\xfe":1}: not UTF-8
        { new string('A', PaymentRequiredParser.MaxHeaderLength + 4), "over" },
    };

    [Theory]
    [MemberData(nameof(HostileHeaders))]
    public void A_broken_header_is_invalid_x402_with_a_reason_never_an_exception(string header, string reason)
    {
        var challenge = PaymentRequiredParser.Parse(header, """{"price": 10}"""u8);

        Assert.Equal(X402Dialect.Invalid, challenge.Dialect);
        Assert.Empty(challenge.Accepts);
        Assert.Contains(reason, challenge.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"x402Version":1}""")]
    [InlineData("""{"x402Version":1,"accepts":"all"}""")]
    [InlineData("""{"x402Version":2,"accepts":[{}]}""")]
    [InlineData("""{"x402Version":null,"accepts":[{}]}""")]
    public void A_body_that_names_x402_but_is_not_usable_v1_is_invalid(string body)
    {
        var challenge = PaymentRequiredParser.Parse((string?)null, Encoding.UTF8.GetBytes(body));

        Assert.Equal(X402Dialect.Invalid, challenge.Dialect);
        Assert.NotNull(challenge.Reason);
    }

    [Fact]
    public void A_body_over_the_cap_is_not_read()
    {
        var padded = X402Samples.PaymentRequiredV1Json.TrimEnd()[..^1] + $",\"pad\":\"{new string('x', PaymentRequiredParser.MaxBodyBytes)}\"}}";

        Assert.Equal(X402Dialect.V1, PaymentRequiredParser.Parse((string?)null, Encoding.UTF8.GetBytes(X402Samples.PaymentRequiredV1Json)).Dialect);
        Assert.Equal(X402Dialect.NotX402, PaymentRequiredParser.Parse((string?)null, Encoding.UTF8.GetBytes(padded)).Dialect);
    }

    [Fact]
    public void Random_bytes_never_make_it_throw()
    {
        var random = new Random(402);
        var valid = Encoding.UTF8.GetBytes(X402Samples.PaymentRequiredV2Json);
        for (var i = 0; i < 2_000; i++)
        {
            // Garbage, and the real header with a few bytes flipped.
            var bytes = i % 2 == 0 ? new byte[random.Next(0, 300)] : (byte[])valid.Clone();
            if (i % 2 == 0)
                random.NextBytes(bytes);
            else
                for (var flip = 0; flip < 3; flip++)
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);

            var fromHeader = PaymentRequiredParser.Parse(Convert.ToBase64String(bytes), bytes);
            var fromBody = PaymentRequiredParser.Parse((string?)null, bytes);

            Assert.True(fromHeader.Dialect is X402Dialect.V2 or X402Dialect.Invalid);
            Assert.True(fromHeader.Dialect == X402Dialect.V2 || fromHeader.Reason is not null);
            Assert.True(fromBody.Dialect is X402Dialect.NotX402 or X402Dialect.V1 or X402Dialect.Invalid);
        }
    }
}
