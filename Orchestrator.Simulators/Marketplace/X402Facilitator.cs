using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nethereum.ABI.EIP712;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer.EIP712;

namespace Orchestrator.Simulators.Marketplace;

/// <summary>
/// What an x402 item asks for (x402 v2 <c>PaymentRequirements</c>): an <c>exact</c> EIP-3009 payment of the item's
/// price in USDC on Base Sepolia, one budget unit being one USDC (1,000,000 atomic units).
/// </summary>
public sealed record X402Requirements(string Amount, string PayTo)
{
    public const string Scheme = "exact";
    public const string Network = "eip155:84532";
    public const long ChainId = 84532;

    /// <summary>USDC on Base Sepolia.</summary>
    public const string Asset = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";

    /// <summary>The token's EIP-712 domain name and version.</summary>
    public const string TokenName = "USDC";
    public const string TokenVersion = "2";

    public const int MaxTimeoutSeconds = 300;

    /// <summary>A token's atomic units per budget unit (USDC has 6 decimals).</summary>
    public const long AtomicUnitsPerBudgetUnit = 1_000_000;

    public static X402Requirements For(CatalogItem item, string payTo)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new X402Requirements(Atomic(item.Price), payTo);
    }

    /// <summary>A price in budget units as the wire writes an amount: atomic units, a decimal string.</summary>
    public static string Atomic(long price) => (new BigInteger(price) * AtomicUnitsPerBudgetUnit).ToString(CultureInfo.InvariantCulture);

    /// <summary>The requirements as one entry of a 402's <c>accepts</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["scheme"] = Scheme,
        ["network"] = Network,
        ["amount"] = Amount,
        ["asset"] = Asset,
        ["payTo"] = PayTo,
        ["maxTimeoutSeconds"] = MaxTimeoutSeconds,
        ["extra"] = new JsonObject { ["name"] = TokenName, ["version"] = TokenVersion },
    };
}

/// <summary>
/// A decoded <c>PAYMENT-SIGNATURE</c>: the payload's JSON, its hash (to tell a replay from another payment) and its
/// <c>payment-identifier</c> (<c>extensions["payment-identifier"].info.id</c>), if any.
/// </summary>
public sealed class X402PaymentPayload : IDisposable
{
    public const string PaymentIdentifierExtension = "payment-identifier";

    /// <summary>The longest header read (characters of base64).</summary>
    public const int MaxHeaderLength = 16 * 1024;

    X402PaymentPayload(JsonDocument document, string hash)
    {
        Document = document;
        Hash = hash;
        PaymentIdentifier = Member(Member(Member(Member(Root, "extensions"), PaymentIdentifierExtension), "info"), "id") is { ValueKind: JsonValueKind.String } id
            && id.GetString() is { Length: > 0 } text ? text : null;
    }

    public JsonDocument Document { get; }

    public JsonElement Root => Document.RootElement;

    public string Hash { get; }

    public string? PaymentIdentifier { get; }

    /// <summary>Reads the header: base64 of a JSON object, or null when it is not one.</summary>
    public static X402PaymentPayload? TryRead(string header)
    {
        if (header is not { Length: > 0 and <= MaxHeaderLength })
            return null;
        var bytes = new byte[header.Length / 4 * 3 + 3];
        if (!Convert.TryFromBase64String(header, bytes, out var written))
            return null;
        var json = bytes.AsMemory(0, written);
        try
        {
            var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
            if (document.RootElement.ValueKind == JsonValueKind.Object)
                return new X402PaymentPayload(document, Convert.ToHexStringLower(SHA256.HashData(json.Span)));
            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Dispose() => Document.Dispose();

    internal static JsonElement? Member(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var member) ? member : null;
}

/// <summary>
/// The marketplace's own x402 facilitator for the <c>exact</c> EVM scheme, as @x402/evm's verifies a payment: the
/// payload's version, its <c>accepted</c> entry against the item's requirements, the recipient, the validity window,
/// the value, then the EIP-712 signature of the EIP-3009 <c>TransferWithAuthorization</c>, recovered by Nethereum
/// to the authorization's <c>from</c>. Whether the nonce was used is the ledger's to say when it settles.
/// </summary>
public sealed class X402Facilitator(TimeProvider clock)
{
    public const string InvalidPayload = "invalid_payload";
    public const string InvalidVersion = "invalid_x402_version";
    public const string AcceptedMismatch = "invalid_exact_evm_payload_accepted_mismatch";
    public const string RecipientMismatch = "invalid_exact_evm_payload_recipient_mismatch";
    public const string ValidBeforeTooSoon = "invalid_exact_evm_payload_authorization_valid_before";
    public const string ValidAfterInFuture = "invalid_exact_evm_payload_authorization_valid_after";
    public const string ValueMismatch = "invalid_exact_evm_payload_authorization_value_mismatch";
    public const string InvalidSignature = "invalid_exact_evm_payload_signature";
    public const string NonceAlreadyUsed = "invalid_exact_evm_nonce_already_used";

    /// <summary>How long an authorization must still be valid for, to leave time to settle it (@x402/evm: 6 s).</summary>
    public const int SettlementMarginSeconds = 6;

    const string PrimaryType = "TransferWithAuthorization";

    static readonly Eip712TypedDataSigner Signer = new();

    static readonly Dictionary<string, MemberDescription[]> Types = new()
    {
        ["EIP712Domain"] =
        [
            new() { Name = "name", Type = "string" },
            new() { Name = "version", Type = "string" },
            new() { Name = "chainId", Type = "uint256" },
            new() { Name = "verifyingContract", Type = "address" },
        ],
        [PrimaryType] =
        [
            new() { Name = "from", Type = "address" },
            new() { Name = "to", Type = "address" },
            new() { Name = "value", Type = "uint256" },
            new() { Name = "validAfter", Type = "uint256" },
            new() { Name = "validBefore", Type = "uint256" },
            new() { Name = "nonce", Type = "bytes32" },
        ],
    };

    /// <summary>Verifies <paramref name="payment"/> for <paramref name="requirements"/>: the transfer to settle, or why not.</summary>
    public (Authorization? Authorization, string? Error) Verify(X402PaymentPayload payment, X402Requirements requirements)
    {
        ArgumentNullException.ThrowIfNull(payment);
        ArgumentNullException.ThrowIfNull(requirements);
        var root = payment.Root;
        if (X402PaymentPayload.Member(root, "x402Version") is not { ValueKind: JsonValueKind.Number } version)
            return (null, InvalidPayload);
        if (!version.TryGetInt32(out var v) || v != 2)
            return (null, InvalidVersion);
        if (X402PaymentPayload.Member(root, "accepted") is not { ValueKind: JsonValueKind.Object } accepted
            || Authorization.Read(X402PaymentPayload.Member(root, "payload")) is not { } authorization)
            return (null, InvalidPayload);

        if (!Is(accepted, "scheme", X402Requirements.Scheme) || !Is(accepted, "network", X402Requirements.Network)
            || !Is(accepted, "amount", requirements.Amount) || !IsAddress(accepted, "asset", X402Requirements.Asset)
            || !IsAddress(accepted, "payTo", requirements.PayTo))
            return (null, AcceptedMismatch);
        if (!SameAddress(authorization.To, requirements.PayTo))
            return (null, RecipientMismatch);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        if (authorization.ValidBefore < now + SettlementMarginSeconds)
            return (null, ValidBeforeTooSoon);
        if (authorization.ValidAfter > now)
            return (null, ValidAfterInFuture);
        if (authorization.Value != BigInteger.Parse(requirements.Amount, CultureInfo.InvariantCulture))
            return (null, ValueMismatch);
        if (!SignedByPayer(authorization))
            return (null, InvalidSignature);
        return (authorization, null);
    }

    static bool SignedByPayer(Authorization authorization)
    {
        try
        {
            var recovered = Signer.RecoverFromSignatureV4(TypedData(authorization), authorization.Signature);
            return SameAddress(recovered, authorization.From);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or IndexOutOfRangeException or OverflowException)
        {
            // A signature that is not 65 bytes of (r, s, v), or no point on the curve: not the payer's.
            return false;
        }
    }

    static TypedData<Domain> TypedData(Authorization authorization) => new()
    {
        Domain = new Domain
        {
            Name = X402Requirements.TokenName,
            Version = X402Requirements.TokenVersion,
            ChainId = X402Requirements.ChainId,
            VerifyingContract = X402Requirements.Asset,
        },
        Types = Types,
        PrimaryType = PrimaryType,
        DomainRawValues =
        [
            new() { TypeName = "string", Value = X402Requirements.TokenName },
            new() { TypeName = "string", Value = X402Requirements.TokenVersion },
            new() { TypeName = "uint256", Value = new BigInteger(X402Requirements.ChainId) },
            new() { TypeName = "address", Value = X402Requirements.Asset },
        ],
        Message =
        [
            new() { TypeName = "address", Value = authorization.From },
            new() { TypeName = "address", Value = authorization.To },
            new() { TypeName = "uint256", Value = authorization.Value },
            new() { TypeName = "uint256", Value = authorization.ValidAfter },
            new() { TypeName = "uint256", Value = authorization.ValidBefore },
            new() { TypeName = "bytes32", Value = authorization.Nonce.HexToByteArray() },
        ],
    };

    static bool Is(JsonElement element, string name, string expected) =>
        X402PaymentPayload.Member(element, name) is { ValueKind: JsonValueKind.String } value && value.ValueEquals(expected);

    static bool IsAddress(JsonElement element, string name, string expected) =>
        X402PaymentPayload.Member(element, name) is { ValueKind: JsonValueKind.String } value && SameAddress(value.GetString(), expected);

    static bool SameAddress(string? a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    /// <summary>The <c>exact</c> scheme's EVM payload: an EIP-3009 authorization and its signature.</summary>
    public sealed record Authorization(string From, string To, BigInteger Value, BigInteger ValidAfter, BigInteger ValidBefore, string Nonce, string Signature)
    {
        static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

        /// <summary>Reads <c>payload</c>: every member a string, addresses and the nonce 0x-hex, numbers uint256 in decimal.</summary>
        public static Authorization? Read(JsonElement? payload)
        {
            if (Text(payload, "signature") is not { } signature || X402PaymentPayload.Member(payload, "authorization") is not { } authorization)
                return null;
            return Text(authorization, "from") is { } from && IsHex(from, 20)
                && Text(authorization, "to") is { } to && IsHex(to, 20)
                && Number(Text(authorization, "value")) is { } value
                && Number(Text(authorization, "validAfter")) is { } validAfter
                && Number(Text(authorization, "validBefore")) is { } validBefore
                && Text(authorization, "nonce") is { } nonce && IsHex(nonce, 32)
                ? new Authorization(from, to, value, validAfter, validBefore, nonce, signature)
                : null;
        }

        static string? Text(JsonElement? element, string name) =>
            X402PaymentPayload.Member(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

        static bool IsHex(string text, int bytes) =>
            text.Length == 2 + 2 * bytes && text.StartsWith("0x", StringComparison.Ordinal) && !text.AsSpan(2).ContainsAnyExcept(HexDigits);

        static BigInteger? Number(string? text) =>
            text is { Length: > 0 and <= 78 } && text.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0
                && BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) is var number && number < BigInteger.One << 256
                ? number : null;
    }
}
