using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Workflow.X402;

/// <summary>
/// A signed payment ready to send: the header to send it in (<c>PAYMENT-SIGNATURE</c> for v2, <c>X-PAYMENT</c> for
/// v1) and its value (base64 JSON). Sent again unchanged on every retry of the purchase: never a second nonce.
/// </summary>
public sealed record X402Payment(string HeaderName, string HeaderValue, string Nonce, BigInteger Value, string From, string To, long ValidBefore);

/// <summary>
/// Builds the payment for an offer: an EIP-3009 authorization of exactly the quoted amount to the seller's payee,
/// valid from 10 minutes ago (clock skew) until now plus the offer's <c>maxTimeoutSeconds</c>, under a random
/// 32-byte nonce, signed by <see cref="IX402Signer"/>; for v2 the <c>PaymentPayload</c> echoes the seller's
/// <c>accepted</c> entry and resource and carries the <c>payment-identifier</c> extension with the purchase's key.
/// </summary>
public sealed class X402PaymentBuilder(IX402Signer signer, TimeProvider time)
{
    public const string PaymentIdentifierExtension = "payment-identifier";

    /// <summary>How far back <c>validAfter</c> is put, for sellers whose clock is behind ours (as @x402/evm's v1 client does).</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(10);

    public async Task<X402Payment> BuildAsync(X402Offer offer, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(offer);
        if (!IsValidPaymentIdentifier(idempotencyKey))
            throw new ArgumentException("A payment identifier is 16 to 128 characters of letters, digits, '-' and '_'.", nameof(idempotencyKey));

        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var validAfter = Math.Max(0, now - (long)ClockSkew.TotalSeconds);
        var validBefore = checked(now + offer.MaxTimeoutSeconds);
        var nonce = "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var authorization = new TransferWithAuthorization(offer.TokenName, offer.TokenVersion, offer.ChainId, offer.Asset,
            signer.Address, offer.PayTo, offer.Amount, validAfter, validBefore, nonce);
        var signature = await signer.SignTransferWithAuthorizationAsync(authorization, cancellationToken);

        var payload = new ExactEvmPayload(signature, new Eip3009Authorization(
            signer.Address, offer.PayTo, AtomicAmount.Format(offer.Amount), AtomicAmount.Format(validAfter), AtomicAmount.Format(validBefore), nonce));
        var (header, json) = offer.X402Version == 1
            ? (X402Headers.PaymentV1, JsonSerializer.SerializeToUtf8Bytes(
                new PaymentPayloadV1(1, offer.Scheme, Text(offer.Accepted, "network"), payload), X402JsonContext.Default.PaymentPayloadV1))
            : (X402Headers.PaymentSignature, JsonSerializer.SerializeToUtf8Bytes(
                new PaymentPayloadV2(2, offer.Resource, offer.Accepted, payload, Extensions(offer.Extensions, idempotencyKey)), X402JsonContext.Default.PaymentPayloadV2));
        return new X402Payment(header, Base64.Encode(json), nonce, offer.Amount, signer.Address, offer.PayTo, validBefore);
    }

    /// <summary>What the <c>payment-identifier</c> extension accepts as an id (@x402/extensions: 16-128 of [A-Za-z0-9_-]).</summary>
    public static bool IsValidPaymentIdentifier(string? id) =>
        id is { Length: >= 16 and <= 128 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The seller's declared extensions, with <c>payment-identifier</c>'s <c>info.id</c> set to <paramref name="id"/>.</summary>
    static JsonElement Extensions(JsonElement? declared, string id)
    {
        var extensions = declared is { ValueKind: JsonValueKind.Object } d ? JsonNode.Parse(d.GetRawText())!.AsObject() : [];
        if (extensions[PaymentIdentifierExtension] is not JsonObject extension)
            extensions[PaymentIdentifierExtension] = extension = new JsonObject();
        if (extension["info"] is not JsonObject info)
            extension["info"] = info = new JsonObject { ["required"] = false };
        info["id"] = id;
        return JsonSerializer.SerializeToElement(extensions, X402JsonContext.Default.JsonObject);
    }

    static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
