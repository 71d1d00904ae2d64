using System.Globalization;
using System.Numerics;
using Nethereum.ABI.EIP712;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Signer.EIP712;

namespace Orchestrator.Workflow.X402;

/// <summary>
/// Signs with a private key held in this process (<c>X402:PrivateKey</c>), through Nethereum's EIP-712 signer: the
/// encoding, Keccak and secp256k1 are Nethereum's. The key stays inside: <see cref="ToString"/> shows the address,
/// and no exception carries the key.
/// </summary>
public sealed class LocalKeySigner : IX402Signer
{
    const string PrimaryType = "TransferWithAuthorization";

    /// <summary>The order of secp256k1's group: a private key is a number from 1 to this, exclusive.</summary>
    static readonly BigInteger CurveOrder = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    static readonly Eip712TypedDataSigner Signer = new();

    /// <summary>EIP-3009's typed data types, as @x402/evm signs them (authorizationTypes) and the token verifies them.</summary>
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

    readonly EthECKey _key;

    public LocalKeySigner(string privateKey)
    {
        if (!TryKeyBytes(privateKey, out var bytes))
            throw new ArgumentException("The x402 private key must be 32 bytes in hex and a valid secp256k1 key.", nameof(privateKey));
        _key = new EthECKey(bytes, isPrivate: true);
        Array.Clear(bytes);
        Address = _key.GetPublicAddress();
    }

    public string Address { get; }

    /// <summary>A new random private key (64 hex digits), for a development or test wallet.</summary>
    public static string CreateKey()
    {
        while (true)
        {
            var key = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            if (IsValidKey(key))
                return key;
        }
    }

    /// <summary>Whether <paramref name="privateKey"/> is 64 hex digits (0x optional) of a number from 1 to the curve's order.</summary>
    public static bool IsValidKey(string privateKey)
    {
        var valid = TryKeyBytes(privateKey, out var bytes);
        Array.Clear(bytes);
        return valid;
    }

    public Task<string> SignTransferWithAuthorizationAsync(TransferWithAuthorization authorization, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        if (!EvmAddress.AreSame(authorization.From, Address))
            throw new ArgumentException("The authorization is not from this signer's address.", nameof(authorization));
        return Task.FromResult(Signer.SignTypedDataV4(TypedData(authorization), _key));
    }

    /// <summary>The typed data signed for <paramref name="authorization"/>, for checks (recovering the signer).</summary>
    public static TypedData<Domain> TypedData(TransferWithAuthorization authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        if (!EvmAddress.IsValid(authorization.VerifyingContract) || !EvmAddress.IsValid(authorization.From) || !EvmAddress.IsValid(authorization.To))
            throw new ArgumentException("The authorization's token, from and to must be 0x addresses of 20 bytes.", nameof(authorization));
        if (authorization.Nonce is not { Length: 66 } nonce || !nonce.StartsWith("0x", StringComparison.Ordinal) || !EvmAddress.IsHex(nonce.AsSpan(2)))
            throw new ArgumentException("The authorization's nonce must be 32 bytes as 0x-hex.", nameof(authorization));
        if (authorization.ChainId <= 0 || authorization.Value.Sign < 0 || authorization.Value > AtomicAmount.MaxUInt256
            || authorization.ValidAfter.Sign < 0 || authorization.ValidBefore <= authorization.ValidAfter)
            throw new ArgumentException("The authorization's chain id, value or validity window is out of range.", nameof(authorization));

        var domain = new Domain
        {
            Name = authorization.TokenName,
            Version = authorization.TokenVersion,
            ChainId = authorization.ChainId,
            VerifyingContract = authorization.VerifyingContract,
        };
        return new TypedData<Domain>
        {
            Domain = domain,
            Types = Types,
            PrimaryType = PrimaryType,
            DomainRawValues =
            [
                new() { TypeName = "string", Value = authorization.TokenName },
                new() { TypeName = "string", Value = authorization.TokenVersion },
                new() { TypeName = "uint256", Value = new BigInteger(authorization.ChainId) },
                new() { TypeName = "address", Value = authorization.VerifyingContract },
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
    }

    public override string ToString() => $"{nameof(LocalKeySigner)}({Address})";

    static bool TryKeyBytes(string? privateKey, out byte[] bytes)
    {
        bytes = [];
        var hex = privateKey?.Trim() ?? "";
        if (hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            hex = hex[2..];
        if (hex.Length != 64 || !EvmAddress.IsHex(hex))
            return false;
        bytes = Convert.FromHexString(hex);
        var number = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        return number.Sign > 0 && number < CurveOrder;
    }
}
