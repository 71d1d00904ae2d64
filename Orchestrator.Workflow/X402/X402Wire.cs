using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Workflow.X402;

// The x402 wire format (x402 v2 and v1), as @x402/core 2.27 writes and reads it (types in its x402Client d.ts;
// base64 JSON headers in its http/index: PAYMENT-REQUIRED, PAYMENT-SIGNATURE, PAYMENT-RESPONSE; v1: the 402 body,
// X-PAYMENT, X-PAYMENT-RESPONSE). Amounts are decimal strings of atomic units (uint256), times are Unix seconds as
// decimal strings, addresses 0x-hex. What a seller sends is read into these and checked before use.

/// <summary>v2 <c>PaymentRequired</c>: the base64 JSON of a 402's <c>PAYMENT-REQUIRED</c> header.</summary>
public sealed record PaymentRequiredV2(
    [property: JsonPropertyName("x402Version")] int X402Version,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("resource")] JsonElement? Resource,
    [property: JsonPropertyName("accepts")] IReadOnlyList<JsonElement>? Accepts,
    [property: JsonPropertyName("extensions")] JsonElement? Extensions);

/// <summary>v2 <c>PaymentRequirements</c>: one way to pay (one entry of <c>accepts</c>).</summary>
public sealed record PaymentRequirementsV2(
    [property: JsonPropertyName("scheme")] string? Scheme,
    [property: JsonPropertyName("network")] string? Network,
    [property: JsonPropertyName("amount")] string? Amount,
    [property: JsonPropertyName("asset")] string? Asset,
    [property: JsonPropertyName("payTo")] string? PayTo,
    [property: JsonPropertyName("maxTimeoutSeconds")] long? MaxTimeoutSeconds,
    [property: JsonPropertyName("extra")] PaymentExtra? Extra);

/// <summary>The EIP-712 domain of the token (the <c>exact</c> scheme on EVM reads <c>name</c> and <c>version</c>).</summary>
public sealed record PaymentExtra(
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("version")] string? Version);

/// <summary>v1 <c>PaymentRequired</c>: the JSON body of a 402.</summary>
public sealed record PaymentRequiredV1(
    [property: JsonPropertyName("x402Version")] int X402Version,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("accepts")] IReadOnlyList<JsonElement>? Accepts);

/// <summary>v1 <c>PaymentRequirements</c>: <c>maxAmountRequired</c> where v2 says <c>amount</c>, and the resource inline.</summary>
public sealed record PaymentRequirementsV1(
    [property: JsonPropertyName("scheme")] string? Scheme,
    [property: JsonPropertyName("network")] string? Network,
    [property: JsonPropertyName("maxAmountRequired")] string? MaxAmountRequired,
    [property: JsonPropertyName("resource")] string? Resource,
    [property: JsonPropertyName("payTo")] string? PayTo,
    [property: JsonPropertyName("maxTimeoutSeconds")] long? MaxTimeoutSeconds,
    [property: JsonPropertyName("asset")] string? Asset,
    [property: JsonPropertyName("extra")] PaymentExtra? Extra);

/// <summary>
/// v2 <c>PaymentPayload</c>, sent base64 in <c>PAYMENT-SIGNATURE</c>. <see cref="Accepted"/> and
/// <see cref="Resource"/> are the seller's own JSON, echoed as it sent them: it matches <c>accepted</c> against its
/// requirements field by field.
/// </summary>
public sealed record PaymentPayloadV2(
    [property: JsonPropertyName("x402Version")] int X402Version,
    [property: JsonPropertyName("resource"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Resource,
    [property: JsonPropertyName("accepted")] JsonElement Accepted,
    [property: JsonPropertyName("payload")] ExactEvmPayload Payload,
    [property: JsonPropertyName("extensions"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Extensions);

/// <summary>v1 <c>PaymentPayload</c>, sent base64 in <c>X-PAYMENT</c>.</summary>
public sealed record PaymentPayloadV1(
    [property: JsonPropertyName("x402Version")] int X402Version,
    [property: JsonPropertyName("scheme")] string Scheme,
    [property: JsonPropertyName("network")] string Network,
    [property: JsonPropertyName("payload")] ExactEvmPayload Payload);

/// <summary>The <c>exact</c> scheme's EVM payload: an EIP-3009 authorization and its signature (65 bytes, 0x-hex).</summary>
public sealed record ExactEvmPayload(
    [property: JsonPropertyName("signature")] string Signature,
    [property: JsonPropertyName("authorization")] Eip3009Authorization Authorization);

/// <summary>EIP-3009 <c>TransferWithAuthorization</c>'s message, every number a decimal string.</summary>
public sealed record Eip3009Authorization(
    [property: JsonPropertyName("from")] string From,
    [property: JsonPropertyName("to")] string To,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("validAfter")] string ValidAfter,
    [property: JsonPropertyName("validBefore")] string ValidBefore,
    [property: JsonPropertyName("nonce")] string Nonce);

/// <summary><c>SettleResponse</c>: the base64 JSON of <c>PAYMENT-RESPONSE</c> (v1: <c>X-PAYMENT-RESPONSE</c>).</summary>
public sealed record SettleResponse(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("errorReason")] string? ErrorReason,
    [property: JsonPropertyName("payer")] string? Payer,
    [property: JsonPropertyName("transaction")] string? Transaction,
    [property: JsonPropertyName("network")] string? Network,
    [property: JsonPropertyName("amount")] string? Amount);

/// <summary>The header names of both versions.</summary>
public static class X402Headers
{
    public const string PaymentRequired = "PAYMENT-REQUIRED";
    public const string PaymentSignature = "PAYMENT-SIGNATURE";
    public const string PaymentResponse = "PAYMENT-RESPONSE";
    public const string PaymentV1 = "X-PAYMENT";
    public const string PaymentResponseV1 = "X-PAYMENT-RESPONSE";
}

/// <summary>The x402 JSON, generated at build time; strict about types, lenient about unknown members.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.General, NumberHandling = JsonNumberHandling.Strict, MaxDepth = 32)]
[JsonSerializable(typeof(PaymentRequiredV2))]
[JsonSerializable(typeof(PaymentRequirementsV2))]
[JsonSerializable(typeof(PaymentRequiredV1))]
[JsonSerializable(typeof(PaymentRequirementsV1))]
[JsonSerializable(typeof(PaymentPayloadV2))]
[JsonSerializable(typeof(PaymentPayloadV1))]
[JsonSerializable(typeof(SettleResponse))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
internal sealed partial class X402JsonContext : JsonSerializerContext;
