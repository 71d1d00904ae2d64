using System.Text;

namespace Orchestrator.Tests.Workflow.X402;

/// <summary>x402 answers as real sellers write them, for the tests.</summary>
static class X402Samples
{
    /// <summary>
    /// The JSON of a <c>PAYMENT-REQUIRED</c> header written by @x402/express 2.27.0 (tests/x402-seller, item 1: 10 USDC
    /// on Base Sepolia), as it sent it.
    /// </summary>
    public const string PaymentRequiredV2Json = """
        {"x402Version":2,"error":"Payment required","resource":{"url":"http://127.0.0.1:4471/company/detail?id=1","description":"Company data from the x402 seller","mimeType":"application/json"},"accepts":[{"scheme":"exact","network":"eip155:84532","amount":"10000000","asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","payTo":"0x5E11e4000000000000000000000000000000a402","maxTimeoutSeconds":300,"extra":{"name":"USDC","version":"2"}}],"extensions":{"payment-identifier":{"info":{"required":false},"schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"required":{"type":"boolean"},"id":{"type":"string","minLength":16,"maxLength":128,"pattern":"^[a-zA-Z0-9_-]+$"}},"required":["required"]}}}}
        """;

    /// <summary>The JSON of a <c>PAYMENT-RESPONSE</c> header written by @x402/express 2.27.0 after a settlement.</summary>
    public const string PaymentResponseJson = """
        {"success":true,"transaction":"0x6ca6042812c160d58b3855264cb3485c8ecaf30e6592efc66fee2641e2ce24b6","network":"eip155:84532","payer":"0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"}
        """;

    /// <summary>An x402 v1 402 body (as the v1 servers write it: the requirements in the body, maxAmountRequired).</summary>
    public const string PaymentRequiredV1Json = """
        {"x402Version":1,"error":"X-PAYMENT header is required","accepts":[{"scheme":"exact","network":"base-sepolia","maxAmountRequired":"2500000","resource":"http://127.0.0.1/company/detail?id=2","description":"","mimeType":"application/json","payTo":"0x5E11e4000000000000000000000000000000a402","maxTimeoutSeconds":60,"asset":"0x036CbD53842c5426634e7929541eC2318f3dCF7e","extra":{"name":"USDC","version":"2"}}]}
        """;

    public static string Base64Of(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));

    /// <summary>A v2 <c>PAYMENT-REQUIRED</c> JSON whose accepts are <paramref name="accepts"/> (JSON objects).</summary>
    public static string PaymentRequiredWith(params string[] accepts) =>
        $$"""{"x402Version":2,"resource":{"url":"http://seller/item"},"accepts":[{{string.Join(",", accepts)}}]}""";

    /// <summary>An accepts entry of the exact scheme, USDC on Base Sepolia unless told otherwise.</summary>
    public static string Entry(
        string amount = "10000000",
        string scheme = "exact",
        string network = "eip155:84532",
        string asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e",
        string payTo = "0x5E11e4000000000000000000000000000000a402",
        string maxTimeoutSeconds = "300",
        string extra = """{"name":"USDC","version":"2"}""") =>
        $$"""{"scheme":"{{scheme}}","network":"{{network}}","amount":"{{amount}}","asset":"{{asset}}","payTo":"{{payTo}}","maxTimeoutSeconds":{{maxTimeoutSeconds}},"extra":{{extra}}}""";
}
