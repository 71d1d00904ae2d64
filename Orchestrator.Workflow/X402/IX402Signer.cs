using System.Numerics;

namespace Orchestrator.Workflow.X402;

/// <summary>
/// The wallet that signs x402 payments. Behind this interface so that a KMS or a remote signer can replace the local
/// key (<see cref="LocalKeySigner"/>) without touching the workflow: only the address and signatures leave it.
/// </summary>
public interface IX402Signer
{
    /// <summary>The paying account (0x, 20 bytes, EIP-55 checksummed).</summary>
    string Address { get; }

    /// <summary>
    /// Signs the EIP-712 typed data of an EIP-3009 <c>TransferWithAuthorization</c> and returns the 65-byte
    /// signature (r, s, v) as 0x-hex, as <c>eth_signTypedData_v4</c> does.
    /// </summary>
    Task<string> SignTransferWithAuthorizationAsync(TransferWithAuthorization authorization, CancellationToken cancellationToken);
}

/// <summary>
/// What is signed: the token's EIP-712 domain (<see cref="TokenName"/>, <see cref="TokenVersion"/>,
/// <see cref="ChainId"/>, <see cref="VerifyingContract"/> = the token) and the message (<see cref="From"/> pays
/// <see cref="Value"/> atomic units to <see cref="To"/>, valid strictly between <see cref="ValidAfter"/> and
/// <see cref="ValidBefore"/>, Unix seconds, once: <see cref="Nonce"/>, 32 bytes as 0x-hex).
/// </summary>
public sealed record TransferWithAuthorization(
    string TokenName,
    string TokenVersion,
    long ChainId,
    string VerifyingContract,
    string From,
    string To,
    BigInteger Value,
    BigInteger ValidAfter,
    BigInteger ValidBefore,
    string Nonce);
